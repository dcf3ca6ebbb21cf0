using System.Runtime.InteropServices;
using System.Text.Json;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Interop;

/// <summary>Exports a store, or a slice of it, for Python users:
/// <c>activations.npy</c> float32 [tokens, neurons] (<c>numpy.load</c>),
/// <c>labels.json</c> {task, classNames, labels (class index per token, -1 = none), splits
/// (split name per token), words, sentences (sentence index per token), storeRows}, and <c>neurons.json</c> {model, columns: [{hookPoint,
/// index}] per column}. Streams block by block, so a store larger than memory exports fine.</summary>
public static class StoreExport
{
    public const string ActivationsFile = "activations.npy";
    public const string LabelsFile = "labels.json";
    public const string NeuronsFile = "neurons.json";
    public const string ExportKind = "export";

    /// <summary>The files of an export folder written before the marker existed.</summary>
    public static bool IsExportFile(string name) => name is ActivationsFile or LabelsFile or NeuronsFile;

    public static ExportResult Run(ExportOptions options, IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        // Files are replaced only in a folder of our own (an earlier export), never in a user's.
        Output.OutputFolder.Check(options.OutputDirectory, ExportKind, IsExportFile);
        using var store = ActivationStore.Open(options.StoreDirectory, options.VerifyHashes, progress, cancellation);
        var columns = SelectColumns(store, options);
        var (rows, labels, splits, classNames, taskName, origin) = SelectRows(store, options);
        var words = store.Tokens.Words;

        Directory.CreateDirectory(options.OutputDirectory);
        Output.OutputFolder.WriteMarker(options.OutputDirectory, ExportKind);
        var view = store.SelectRows(rows);
        var files = options.Format == ExportFormat.Npy
            ? [WriteNpy(options, view, rows.Length, columns, store.Columns, progress, cancellation)]
            : WriteNeurox(options, store, view, rows, columns, labels, classNames, progress, cancellation);

        string labelsPath = Path.Combine(options.OutputDirectory, LabelsFile);
        AtomicFile.Write(labelsPath, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            json.WriteStartObject();
            json.WriteString("task", taskName);
            WriteStrings(json, "classNames", classNames);
            json.WriteStartArray("labels"); foreach (var l in labels) json.WriteNumberValue(l); json.WriteEndArray();
            WriteStrings(json, "splits", splits);
            json.WriteStartArray("words"); foreach (var r in rows) json.WriteStringValue(words[r].Form); json.WriteEndArray();
            json.WriteStartArray("sentences"); foreach (var r in rows) json.WriteNumberValue(store.Tokens.RowSentence[r]); json.WriteEndArray();
            json.WriteStartArray("storeRows"); foreach (var r in rows) json.WriteNumberValue(r); json.WriteEndArray();
            json.WriteEndObject();
        });

        string neuronsPath = Path.Combine(options.OutputDirectory, NeuronsFile);
        AtomicFile.Write(neuronsPath, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("model", store.Manifest.Model.Identity);
            json.WriteString("aggregation", store.Manifest.Aggregation.ToString().ToLowerInvariant());
            json.WriteStartArray("columns");
            foreach (var c in columns)
            {
                json.WriteStartObject();
                json.WriteString("hookPoint", store.Neurons[c].HookPoint);
                json.WriteNumber("index", store.Neurons[c].Index);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
        return new ExportResult(rows.Length, columns.Length, [.. files, labelsPath, neuronsPath]) { LabelOrigin = origin };
    }

    private static string WriteNpy(ExportOptions options, IActivationMatrix view, long rowCount, int[] columns, int storeColumns,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        string npy = Path.Combine(options.OutputDirectory, ActivationsFile);
        AtomicFile.Write(npy, stream =>
        {
            stream.Write(Npy.Float32Header(rowCount, columns.Length));
            var line = new float[columns.Length];
            long done = 0;
            bool all = columns.Length == storeColumns;
            for (int b = 0; b < view.BlockCount; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                var block = view.GetBlock(b);
                for (int r = 0; r < block.Rows; r++)
                {
                    var src = block.Row(r);
                    if (all) stream.Write(MemoryMarshal.AsBytes(src));
                    else
                    {
                        for (int j = 0; j < columns.Length; j++) line[j] = src[columns[j]];
                        stream.Write(MemoryMarshal.AsBytes(line.AsSpan()));
                    }
                }
                done += block.Rows;
                progress?.Report(new ProgressReport("export", done, rowCount, "tokens"));
            }
        });

        return npy;
    }

    /// <summary>NeuroX's files: one [layers, words, neurons] array per sentence (the kept hook points
    /// as layers, so they must keep the same number of neurons), and its word and label text files.</summary>
    private static string[] WriteNeurox(ExportOptions options, ActivationStore store, IActivationMatrix view, long[] rows, int[] columns,
        int[] labels, IReadOnlyList<string> classNames, IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        var perHook = columns.GroupBy(c => store.Neurons[c].HookPoint).Select(g => g.Count()).ToArray();
        if (perHook.Distinct().Count() != 1)
            throw new ArgumentException($"NeuroX stores one array per layer of equal width, but the kept hook points have {string.Join(", ", perHook)} neurons: choose hook points of one width (--hooks)");
        int layers = perHook.Length, neurons = perHook[0];
        var table = store.Tokens;
        var sentenceStarts = new List<int>();
        for (int i = 0; i < rows.Length; i++)
            if (i == 0 || table.RowSentence[rows[i]] != table.RowSentence[rows[i - 1]]) sentenceStarts.Add(i);
        sentenceStarts.Add(rows.Length);
        var words = new List<string[]>();
        for (int s = 0; s + 1 < sentenceStarts.Count; s++)
            words.Add(Enumerable.Range(sentenceStarts[s], sentenceStarts[s + 1] - sentenceStarts[s])
                .Select(i => NeuroxActivations.TextToken(table.Words[rows[i]].Form)).ToArray());

        IEnumerable<NeuroxSentence> Sentences()
        {
            int block = -1;
            ActivationBlock current = default;
            for (int s = 0; s + 1 < sentenceStarts.Count; s++)
            {
                int first = sentenceStarts[s], count = sentenceStarts[s + 1] - first;
                var values = new float[layers * count * neurons];
                for (int t = 0; t < count; t++)
                {
                    long row = first + t;
                    while (block < 0 || row >= current.FirstRow + current.Rows) current = view.GetBlock(++block);
                    var src = current.Row((int)(row - current.FirstRow));
                    for (int c = 0; c < columns.Length; c++)
                        values[((c / neurons) * count + t) * neurons + c % neurons] = src[columns[c]];
                }
                progress?.Report(new ProgressReport("export", first + count, rows.Length, "tokens"));
                yield return new NeuroxSentence(words[s], values);
            }
        }

        string activations = Path.Combine(options.OutputDirectory, options.Format == ExportFormat.NeuroxHdf5 ? NeuroxActivations.Hdf5File : NeuroxActivations.JsonFile);
        if (options.Format == ExportFormat.NeuroxHdf5) NeuroxActivations.WriteHdf5(activations, words, layers, neurons, Sentences(), cancellation);
        else NeuroxActivations.WriteJson(activations, layers, neurons, Sentences(), cancellation);

        string sentencesPath = Path.Combine(options.OutputDirectory, NeuroxActivations.SentencesFile);
        AtomicFile.WriteAllBytes(sentencesPath, System.Text.Encoding.UTF8.GetBytes(string.Concat(words.Select(w => string.Join(' ', w) + "\n"))));
        string labelsPath = Path.Combine(options.OutputDirectory, NeuroxActivations.LabelsFile);
        var text = new System.Text.StringBuilder();
        for (int s = 0; s + 1 < sentenceStarts.Count; s++)
            text.Append(string.Join(' ', Enumerable.Range(sentenceStarts[s], sentenceStarts[s + 1] - sentenceStarts[s])
                .Select(i => labels[i] >= 0 ? NeuroxActivations.TextToken(classNames[labels[i]]) : NeuroxActivations.NoLabel))).Append('\n');
        AtomicFile.WriteAllBytes(labelsPath, System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        return [activations, sentencesPath, labelsPath];
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static int[] SelectColumns(ActivationStore store, ExportOptions options)
    {
        var result = new List<int>();
        foreach (var hook in store.Manifest.HookPoints)
        {
            if (options.HookPoints is { } names && !names.Contains(hook.Name)) continue;
            if (options.Layers is { } layers && !layers.Contains(HookPoints.LayerOf(hook.Name))) continue;
            if (options.Neurons is { } neurons)
            {
                foreach (var n in neurons)
                {
                    if ((uint)n >= (uint)hook.Width) throw new ArgumentException($"neuron {n} is outside {hook.Name} (width {hook.Width})");
                    result.Add(hook.FirstColumn + n);
                }
            }
            else result.AddRange(Enumerable.Range(hook.FirstColumn, hook.Width));
        }
        if (result.Count == 0)
            throw new ArgumentException($"the selection keeps no column of {store.Directory} (hook points: {string.Join(", ", store.Manifest.HookPoints.Select(h => h.Name))})");
        return result.ToArray();
    }

    private static (long[] Rows, int[] Labels, string[] Splits, IReadOnlyList<string> ClassNames, string Task, string Origin) SelectRows(ActivationStore store, ExportOptions options)
    {
        bool Keep(string split) => options.Splits is null || options.Splits.Contains(split);
        if (options.Task is { } spec)
        {
            var task = TaskBuilder.Build(store.Tokens, spec, options.TaskOptions);
            // In store order: a split made by ratio interleaves its sentences with the others'.
            var kept = task.Splits.Where(s => Keep(s.Name))
                .SelectMany(s => s.Rows.Select((row, i) => (Row: row, Label: s.Labels[i], Split: s.Name)))
                .OrderBy(t => t.Row).ToArray();
            return (kept.Select(t => t.Row).ToArray(), kept.Select(t => t.Label).ToArray(),
                kept.Select(t => t.Split).ToArray(), task.ClassNames, task.Name,
                $"labels of task {task.Name} ({task.ClassNames.Count} classes); splits: {task.SplitOrigin}");
        }
        var table = store.Tokens;
        if (store.Manifest.Task is null)
            throw new MissingTaskException($"{Path.Combine(store.Directory, StoreManifest.FileName)}: the store records no task, so its words have no labels — " +
                "pass --task (upos, xpos, deprel or a feature such as Number) to label them");
        var classNames = store.Manifest.Task.ClassNames;
        var index = classNames.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var rows = new List<long>(); var labels = new List<int>(); var splits = new List<string>();
        var sidecarLabels = store.SidecarLabels;
        for (long r = 0; r < table.Rows; r++)
        {
            string split = table.SentenceSplit[table.RowSentence[r]];
            if (!Keep(split)) continue;
            rows.Add(r);
            splits.Add(split);
            labels.Add(index.TryGetValue(sidecarLabels[(int)r], out int l) ? l : -1);
        }
        return (rows.ToArray(), labels.ToArray(), splits.ToArray(), classNames, store.Manifest.Task.Name,
            $"labels of the task recorded with the store ({store.Manifest.Task.Name}, {classNames.Count} classes); splits: the corpus's own ({string.Join(", ", splits.Distinct())})");
    }
}

/// <summary>A store exported without a task that records none: its words have no labels.</summary>
public sealed class MissingTaskException(string message) : InvalidOperationException(message);
