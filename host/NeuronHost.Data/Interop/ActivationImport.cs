using System.Text.Json;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Interop;

/// <summary>An activation set read back from an export directory (or written by Python in the
/// same layout): activations.npy float32 [tokens, neurons]; labels.json with classNames and
/// labels (and optionally splits, words, task); neurons.json with columns [{hookPoint, index}]
/// (optional: columns are then "features[i]").</summary>
public sealed class ImportedActivations : IDisposable
{
    public required NpyMatrix Activations { get; init; }
    public required string Task { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required int[] Labels { get; init; }
    /// <summary>Split name per token ("all" when labels.json has none).</summary>
    public required string[] Splits { get; init; }
    public string[]? Words { get; init; }

    /// <summary>Sentence index per token (labels.json "sentences"), used to split by sentence.</summary>
    public int[]? Sentences { get; init; }

    public const double TrainFraction = 0.8, DevFraction = 0.1;

    /// <summary>The probing task: tokens with a label ≥ 0, grouped by split (train, dev, test).
    /// Without a "train" split (a dev-only corpus, or no splits at all) the labelled tokens are
    /// split by ratio (<see cref="SplitOrigin"/> says how).</summary>
    public ProbingData ToProbingData(int seed = 1)
    {
        var splits = EffectiveSplits(seed);
        DataSplit? Split(string name)
        {
            var rows = new List<long>();
            for (long i = 0; i < Labels.Length; i++)
                if (Labels[i] >= 0 && splits[i] == name) rows.Add(i);
            if (rows.Count == 0) return null;
            return new DataSplit(Activations.SelectRows(rows.ToArray()), rows.Select(r => Labels[r]).ToArray(),
                Words is null ? null : rows.Select(r => Words[r]).ToArray());
        }
        var train = Split("train") ?? throw new InvalidOperationException($"{Activations.Path}: no labelled token (every label is -1)");
        return new ProbingData(Task, ClassNames, train, Split("dev"), Split("test"));
    }

    private bool HasLabelledTrain => Enumerable.Range(0, Labels.Length).Any(i => Labels[i] >= 0 && Splits[i] == "train");

    /// <summary>Where train/dev/test come from, in words, for the command's output.</summary>
    public string SplitOrigin(int seed = 1)
    {
        if (HasLabelledTrain) return "the splits in labels.json";
        string had = string.Join(", ", Splits.Distinct());
        string unit = Sentences is null ? "tokens (labels.json has no 'sentences')" : "sentences";
        return $"no labelled 'train' split in labels.json ({had}): {unit} split by ratio, " +
            RatioSplit.Describe(TrainFraction, DevFraction, seed, Sentences is null ? "tokens" : "sentences");
    }

    private string[] EffectiveSplits(int seed)
    {
        if (HasLabelledTrain) return Splits;
        var units = Sentences ?? Enumerable.Range(0, Labels.Length).ToArray();
        var ids = units.Distinct().ToArray();
        var unitSplit = RatioSplit.Assign(ids.Length, TrainFraction, DevFraction, seed);
        var byUnit = new Dictionary<int, string>(ids.Length);
        for (int i = 0; i < ids.Length; i++) byUnit[ids[i]] = unitSplit[i];
        return units.Select(u => byUnit[u]).ToArray();
    }

    /// <summary>A temporary folder this import converted its input into (NeuroX files); deleted on Dispose.</summary>
    public string? OwnedDirectory { get; set; }

    public void Dispose()
    {
        Activations.Dispose();
        if (OwnedDirectory is not null && Directory.Exists(OwnedDirectory)) Directory.Delete(OwnedDirectory, recursive: true);
    }
}

public static class ActivationImport
{
    /// <summary>Whether <paramref name="directory"/> holds an export (activations.npy) or NeuroX activation files.</summary>
    public static bool IsImportFolder(string directory) =>
        File.Exists(Path.Combine(directory, StoreExport.ActivationsFile)) || NeuroxImport.ActivationFile(directory) is not null;

    public static ImportedActivations Load(string directory)
    {
        string npy = Path.Combine(directory, StoreExport.ActivationsFile);
        string labelsPath = Path.Combine(directory, StoreExport.LabelsFile);
        string neuronsPath = Path.Combine(directory, StoreExport.NeuronsFile);
        if (!File.Exists(npy) && NeuroxImport.ActivationFile(directory) is { } neurox)
        {
            string converted = NeuroxImport.Convert(directory, neurox);
            try
            {
                var imported = Load(converted);
                imported.OwnedDirectory = converted;
                return imported;
            }
            catch
            {
                Directory.Delete(converted, recursive: true);
                throw;
            }
        }
        if (!File.Exists(npy)) throw new FileNotFoundException($"{npy}: missing (or NeuroX's {NeuroxActivations.Hdf5File} / {NeuroxActivations.JsonFile})", npy);
        if (!File.Exists(labelsPath)) throw new FileNotFoundException($"{labelsPath}: missing", labelsPath);

        List<NeuronRef>? neurons = null;
        if (File.Exists(neuronsPath))
        {
            using var doc = Parse(neuronsPath);
            if (!doc.RootElement.TryGetProperty("columns", out var cols) || cols.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{neuronsPath}: no 'columns' array");
            neurons = [];
            foreach (var c in cols.EnumerateArray())
            {
                if (!c.TryGetProperty("hookPoint", out var h) || !c.TryGetProperty("index", out var i) || h.GetString() is not { } hook)
                    throw new FormatException($"{neuronsPath}: column {neurons.Count} lacks hookPoint/index");
                neurons.Add(new NeuronRef(hook, Int(i, neuronsPath, "index")));
            }
        }
        var matrix = new NpyMatrix(npy, neurons);
        try
        {
            using var doc = Parse(labelsPath);
            var root = doc.RootElement;
            string[] classNames = Strings(root, "classNames", labelsPath) ?? throw new FormatException($"{labelsPath}: no 'classNames'");
            if (!root.TryGetProperty("labels", out var labelsElement) || labelsElement.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{labelsPath}: no 'labels' array");
            var labels = labelsElement.EnumerateArray().Select(e => Int(e, labelsPath, "labels")).ToArray();
            if (labels.Length != matrix.Rows) throw new FormatException($"{labelsPath}: {labels.Length} labels for {matrix.Rows} rows of {npy}");
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < -1 || labels[i] >= classNames.Length)
                    throw new FormatException($"{labelsPath}: label {labels[i]} of token {i} is outside -1..{classNames.Length - 1}");
            var splits = Strings(root, "splits", labelsPath) ?? Enumerable.Repeat("all", labels.Length).ToArray();
            if (splits.Length != labels.Length) throw new FormatException($"{labelsPath}: {splits.Length} splits for {labels.Length} tokens");
            var words = Strings(root, "words", labelsPath);
            if (words is not null && words.Length != labels.Length) throw new FormatException($"{labelsPath}: {words.Length} words for {labels.Length} tokens");
            int[]? sentences = null;
            if (root.TryGetProperty("sentences", out var sentencesElement))
            {
                if (sentencesElement.ValueKind != JsonValueKind.Array) throw new FormatException($"{labelsPath}: 'sentences' is not an array");
                sentences = sentencesElement.EnumerateArray().Select(e => Int(e, labelsPath, "sentences")).ToArray();
                if (sentences.Length != labels.Length) throw new FormatException($"{labelsPath}: {sentences.Length} sentence indices for {labels.Length} tokens");
            }
            return new ImportedActivations
            {
                Activations = matrix,
                Task = root.TryGetProperty("task", out var t) ? t.GetString() ?? "" : "",
                ClassNames = classNames, Labels = labels, Splits = splits, Words = words, Sentences = sentences,
            };
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }

    private static int Int(JsonElement e, string path, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v
            : throw new FormatException($"{path}: '{what}' holds {e.GetRawText()}, not an integer");

    private static JsonDocument Parse(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new FormatException($"{path}: not valid JSON ({e.Message})"); }
    }

    private static string[]? Strings(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Array) throw new FormatException($"{path}: '{name}' is not an array");
        return e.EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
    }
}
