using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

/// <summary>Synthetic stores whose values are a closed form of (row, column).</summary>
internal static class TestStores
{
    public static float Value(long row, int column) => (float)Math.Sin(row * 0.37 + column * 1.3) * (1 + column % 5);

    public static TokenTable Table(int sentences, int wordsPerSentence)
    {
        var words = new List<CorpusSentence>();
        for (int s = 0; s < sentences; s++)
            words.Add(CorpusSentence.FromWords($"s{s}", Enumerable.Range(0, wordsPerSentence)
                .Select(w => new AnnotatedWord($"w{(s * 7 + w) % 13}", Upos: (w % 3) switch { 0 => "NOUN", 1 => "VERB", _ => "DET" })).ToArray()));
        int train = sentences * 8 / 10, dev = sentences / 10;
        var corpus = new Corpus("synthetic", "test", [], [
            new CorpusSplit("train", words.Take(train).ToArray()),
            new CorpusSplit("dev", words.Skip(train).Take(dev).ToArray()),
            new CorpusSplit("test", words.Skip(train + dev).ToArray())]);
        return TokenTable.FromCorpus(corpus);
    }

    public static StoreManifest Manifest(TokenTable table, int[] widths, StoreDType dtype, int rowsPerShard, string model = "test-model@1")
    {
        int first = 0;
        var hooks = widths.Select((w, i) => { var h = new StoreHookPoint(HookPoints.MlpPost(i), w, first); first += w; return h; }).ToArray();
        var splits = new List<StoreSplit>();
        for (long r = 0; r < table.Rows;)
        {
            string name = table.SentenceSplit[table.RowSentence[r]];
            long start = r;
            var sentences = new HashSet<int>();
            while (r < table.Rows && table.SentenceSplit[table.RowSentence[r]] == name) sentences.Add(table.RowSentence[r++]);
            splits.Add(new StoreSplit(name, start, r - start, sentences.Count));
        }
        return new StoreManifest
        {
            Model = new StoreModel("test", "gpt2", model, null),
            Corpus = new StoreCorpus("synthetic", "test", "sha256:00", []),
            WordUnit = "syntactic",
            HookPoints = hooks,
            Columns = first,
            Aggregation = WordAggregation.Mean,
            DType = dtype,
            RowsPerShard = rowsPerShard,
            TotalRows = table.Rows,
            Splits = splits,
            Sidecar = new StoreSidecar(TokenSidecar.FileName, 0, ""),
        };
    }

    /// <summary>Appends rows [from, to) in chunks of <paramref name="chunk"/> rows.</summary>
    public static void Append(StoreWriter writer, long from, long to, int chunk = 7)
    {
        int columns = writer.Manifest.Columns;
        for (long r = from; r < to; r += chunk)
        {
            int n = (int)Math.Min(chunk, to - r);
            var values = new float[n * columns];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < columns; c++) values[i * columns + c] = Value(r + i, c);
            writer.Append(r, values, n);
        }
    }

    public static string Write(TokenTable table, StoreManifest manifest, string? dir = null)
    {
        dir ??= TestPaths.TempDir("store");
        using var writer = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table));
        Append(writer, 0, manifest.TotalRows);
        writer.Finish();
        return dir;
    }

    public static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);
}
