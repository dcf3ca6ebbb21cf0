using NeuronHost.Runtime.Files;

namespace NeuronHost.Data.Store;

/// <summary>The rules a manifest must meet as a whole before any file it names is opened:
/// hook point columns add up; rowsPerShard &gt; 0; every shard but the last is full and they
/// follow each other from row 0 (contiguous firstRow, no duplicate entries or files); byte
/// counts follow from rows × columns × dtype with checked arithmetic; splits lie inside the
/// rows without overlapping; file names are plain names (no folders, no "..", not absolute).
/// The first broken rule throws <see cref="StoreFormatException"/> naming the key.</summary>
internal static class StoreManifestRules
{
    public static void Check(StoreManifest m, string path)
    {
        void Fail(string key, string problem) => throw new StoreFormatException(path, key, problem);

        if (m.HookPoints.Count == 0) Fail("hookPoints", "empty");
        long column = 0;
        for (int i = 0; i < m.HookPoints.Count; i++)
        {
            var h = m.HookPoints[i];
            if (h is null || string.IsNullOrEmpty(h.Name)) Fail($"hookPoints[{i}]", "missing or without a name");
            if (h!.Width <= 0) Fail($"hookPoints[{i}].width", $"{h.Width}: must be positive");
            if (h.FirstColumn != column) Fail($"hookPoints[{i}].firstColumn", $"{h.FirstColumn}: the hook points before it end at column {column}");
            column += h.Width;
        }
        if (m.Columns != column) Fail("columns", $"{m.Columns}, but the hook point widths add up to {column}");
        if (m.RowsPerShard <= 0) Fail("rowsPerShard", $"{m.RowsPerShard}: must be positive");
        if ((long)m.RowsPerShard * m.Columns > Array.MaxLength)
            Fail("rowsPerShard", $"a shard of {m.RowsPerShard} rows × {m.Columns} columns is larger than this build reads");
        if (m.TotalRows < 0) Fail("totalRows", $"{m.TotalRows}: must not be negative");
        long shardCount = m.TotalRows / m.RowsPerShard + (m.TotalRows % m.RowsPerShard == 0 ? 0 : 1);
        if (shardCount > int.MaxValue) Fail("totalRows", $"{m.TotalRows} rows make more than {int.MaxValue} shards");
        if (m.Extraction is { BatchSize: <= 0 } x) Fail("extraction.batchSize", $"{x.BatchSize}: must be positive");
        if (m.Extraction is { TextSentences: < 0 } ts) Fail("extraction.textSentences", $"{ts.TextSentences}: must not be negative");
        if (m.Extraction?.TextFallbacks is { } fb && (fb.Count > 64 || fb.Any(f => f.Value < 0 || f.Key.Length is 0 or > 200)))
            Fail("extraction.textFallbacks", "at most 64 reasons of 1–200 characters, each with a count that is not negative");

        CheckShards(m, shardCount, Fail);
        CheckSplits(m, Fail);

        if (m.Sidecar is null) Fail("sidecar", "missing");
        if (FolderFile.NameProblem(m.Sidecar!.File) is { } bad) Fail("sidecar.file", bad);
        if (m.Sidecar.File is StoreManifest.FileName or StoreLock.FileName || m.Shards.Any(s => s.File == m.Sidecar.File))
            Fail("sidecar.file", $"'{m.Sidecar.File}' is also a store file of another kind");
        if (m.Sidecar.Bytes <= 0) Fail("sidecar.bytes", $"{m.Sidecar.Bytes}: must be positive");
        if (!IsSha256(m.Sidecar.Sha256)) Fail("sidecar.sha256", "not a SHA-256 (64 lowercase hex digits)");
    }

    private static void CheckShards(StoreManifest m, long shardCount, Action<string, string> Fail)
    {
        var files = new Dictionary<string, int>(StringComparer.Ordinal);
        long row = 0;
        for (int i = 0; i < m.Shards.Count; i++)
        {
            var s = m.Shards[i];
            string key = $"shards[{i}]";
            if (s is null) Fail(key, "missing");
            if (FolderFile.NameProblem(s!.File) is { } bad) Fail(key + ".file", bad);
            if (s.File is StoreManifest.FileName or StoreLock.FileName) Fail(key + ".file", $"'{s.File}' is not a shard file name");
            if (!files.TryAdd(s.File, i)) Fail(key + ".file", $"'{s.File}' is listed twice (also shards[{files[s.File]}])");
            if (s.FirstRow != row) Fail(key + ".firstRow", $"{s.FirstRow}, but the shards before it end at row {row}");
            if (row >= m.TotalRows) Fail(key, $"one entry too many: {m.TotalRows} rows of {m.RowsPerShard} per shard make {shardCount} shards");
            long rows = Math.Min(m.RowsPerShard, m.TotalRows - row);
            if (s.Rows != rows) Fail(key + ".rows", $"{s.Rows}, but a shard starting at row {row} of {m.TotalRows} holds {rows} (rowsPerShard {m.RowsPerShard})");
            if (s.Bytes != rows * m.RowBytes) Fail(key + ".bytes", $"{s.Bytes}, but {rows} rows × {m.Columns} columns × {m.BytesPerValue} bytes are {rows * m.RowBytes}");
            if (!IsSha256(s.Sha256)) Fail(key + ".sha256", "not a SHA-256 (64 lowercase hex digits)");
            row += rows;
        }
        if (m.Complete && row != m.TotalRows) Fail("complete", $"true, but the shards cover {row} of {m.TotalRows} rows");
    }

    private static void CheckSplits(StoreManifest m, Action<string, string> Fail)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ranges = new List<(long First, long End, int Index)>();
        for (int i = 0; i < m.Splits.Count; i++)
        {
            var s = m.Splits[i];
            string key = $"splits[{i}]";
            if (s is null || string.IsNullOrEmpty(s.Name)) Fail(key, "missing or without a name");
            if (!names.Add(s!.Name)) Fail(key + ".name", $"'{s.Name}' is listed twice");
            if (s.FirstRow < 0 || s.Rows < 0 || s.FirstRow > m.TotalRows || s.Rows > m.TotalRows - s.FirstRow)
                Fail(key, $"rows [{s.FirstRow}, {s.FirstRow} + {s.Rows}) are not inside the store's {m.TotalRows} rows");
            if (s.Sentences < 0) Fail(key + ".sentences", $"{s.Sentences}: must not be negative");
            ranges.Add((s.FirstRow, s.FirstRow + s.Rows, i));
        }
        ranges.Sort();
        for (int i = 1; i < ranges.Count; i++)
            if (ranges[i].First < ranges[i - 1].End)
                Fail($"splits[{ranges[i].Index}]", $"overlaps splits[{ranges[i - 1].Index}]");
    }

    private static bool IsSha256(string? s) => s is { Length: 64 } && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
