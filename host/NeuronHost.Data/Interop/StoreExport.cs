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

    public static ExportResult Run(ExportOptions options, IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        using var store = ActivationStore.Open(options.StoreDirectory);
        var columns = SelectColumns(store, options);
        var (rows, labels, splits, classNames, taskName, origin) = SelectRows(store, options);
        var words = store.Tokens.Words;

        Directory.CreateDirectory(options.OutputDirectory);
        string npy = Path.Combine(options.OutputDirectory, ActivationsFile);
        var view = store.SelectRows(rows);
        AtomicFile.Write(npy, stream =>
        {
            stream.Write(Npy.Float32Header(rows.Length, columns.Length));
            var line = new float[columns.Length];
            long done = 0;
            bool all = columns.Length == store.Columns;
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
                progress?.Report(new ProgressReport("export", done, rows.Length, "tokens"));
            }
        });

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
        return new ExportResult(rows.Length, columns.Length, [npy, labelsPath, neuronsPath]) { LabelOrigin = origin };
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
