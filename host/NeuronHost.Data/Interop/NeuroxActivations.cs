using System.Globalization;
using System.Text;
using System.Text.Json;
using PureHDF;
using NeuronHost.Data.Store;

namespace NeuronHost.Data.Interop;

/// <summary>One sentence in NeuroX's layout: its words and activations [layers, words, neurons]
/// (row-major, the layer index slowest).</summary>
public sealed record NeuroxSentence(string[] Words, float[] Values);

/// <summary>NeuroX's activation files (<c>neurox.data.writer</c> / <c>neurox.data.loader.load_activations</c>):
/// HDF5 with one float32 dataset per sentence index, shape [layers, words, neurons], and a
/// <c>sentence_to_index</c> dataset holding one JSON string {sentence text: index}; or JSON lines
/// {"linex_index", "features": [{"token", "layers": [{"index", "values"}]}]}. Beside them, NeuroX
/// reads the words and labels as text: one sentence per line, space-separated.</summary>
public static class NeuroxActivations
{
    public const string Hdf5File = "activations.hdf5";
    public const string JsonFile = "activations.json";
    public const string SentencesFile = "sentences.txt";
    public const string LabelsFile = "labels.txt";
    public const string SentenceIndexDataset = "sentence_to_index";
    /// <summary>The label written for a word outside the task (CoNLL-U's "no value"); read back as unlabelled.</summary>
    public const string NoLabel = "_";

    /// <summary>A word as NeuroX's whitespace-split text files can hold it.</summary>
    public static string TextToken(string word) => word.Length == 0 ? NoLabel : string.Join('_', word.Split((char[]?)null, StringSplitOptions.None));

    /// <summary>The sentence_to_index map as NeuroX's writer builds it: a repeated sentence gets " (Occurrence n)".</summary>
    public static string SentenceIndexJson(IEnumerable<string[]> sentences)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        int index = 0;
        foreach (var words in sentences)
        {
            string text = string.Join(' ', words), key = text;
            for (int n = 2; map.ContainsKey(key); n++) key = $"{text} (Occurrence {n})";
            map[key] = index++.ToString(CultureInfo.InvariantCulture);
            order.Add(key);
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var key in order) json.WriteString(key, map[key]);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the HDF5 file (through "path.tmp", renamed when complete). <paramref name="sentences"/>
    /// is enumerated once, after the shapes in <paramref name="words"/> are laid out.</summary>
    public static void WriteHdf5(string path, IReadOnlyList<string[]> words, int layers, int neurons, IEnumerable<NeuroxSentence> sentences, CancellationToken cancellation = default)
    {
        var file = new H5File();
        var datasets = new H5Dataset<float[]>[words.Count];
        for (int i = 0; i < words.Count; i++)
            file[i.ToString(CultureInfo.InvariantCulture)] = datasets[i] = new H5Dataset<float[]>(fileDims: [(ulong)layers, (ulong)words[i].Length, (ulong)neurons]);
        file[SentenceIndexDataset] = new H5Dataset(new[] { SentenceIndexJson(words) });
        string tmp = path + ".tmp";
        using (var writer = file.BeginWrite(tmp))
        {
            int i = 0;
            foreach (var sentence in sentences)
            {
                cancellation.ThrowIfCancellationRequested();
                writer.Write(datasets[i++], sentence.Values);
            }
            if (i != words.Count) throw new InvalidOperationException($"{path}: {i} sentences written, {words.Count} laid out");
        }
        File.Move(tmp, path, overwrite: true);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Writes NeuroX's JSON lines (values rounded to 8 decimals, as its writer does).</summary>
    public static void WriteJson(string path, int layers, int neurons, IEnumerable<NeuroxSentence> sentences, CancellationToken cancellation = default)
    {
        AtomicFile.Write(path, stream =>
        {
            int index = 0;
            foreach (var sentence in sentences)
            {
                cancellation.ThrowIfCancellationRequested();
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    json.WriteNumber("linex_index", index++);
                    json.WriteStartArray("features");
                    for (int t = 0; t < sentence.Words.Length; t++)
                    {
                        json.WriteStartObject();
                        json.WriteString("token", sentence.Words[t]);
                        json.WriteStartArray("layers");
                        for (int l = 0; l < layers; l++)
                        {
                            json.WriteStartObject();
                            json.WriteNumber("index", l);
                            json.WriteStartArray("values");
                            int offset = (l * sentence.Words.Length + t) * neurons;
                            for (int j = 0; j < neurons; j++) json.WriteNumberValue(Math.Round((double)sentence.Values[offset + j], 8));
                            json.WriteEndArray();
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
            }
        });
    }

    /// <summary>Reads an HDF5 or JSON activation file as NeuroX's loader does: one [words, layers × neurons]
    /// matrix per sentence (layer-major columns), sentences in the order of sentence_to_index / the lines.</summary>
    public static (List<float[]> Rows, List<int> SentenceLengths, int Layers, int Neurons) Read(string path)
    {
        try
        {
            return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJson(path) : ReadHdf5(path);
        }
        catch (Exception e) when (e is not FormatException and not OperationCanceledException)
        {
            throw new FormatException($"{path}: not a NeuroX activation file ({e.Message})", e);
        }
    }

    private static (List<float[]>, List<int>, int, int) ReadHdf5(string path)
    {
        using var file = H5File.OpenRead(path);
        if (!file.LinkExists(SentenceIndexDataset)) throw new FormatException($"{path}: no '{SentenceIndexDataset}' dataset");
        var json = file.Dataset(SentenceIndexDataset).Read<string[]>();
        if (json.Length < 1) throw new FormatException($"{path}: '{SentenceIndexDataset}' is empty");
        using var map = JsonDocument.Parse(json[0]);
        if (map.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{path}: '{SentenceIndexDataset}' is not a JSON object");
        var rows = new List<float[]>();
        var lengths = new List<int>();
        int layers = -1, neurons = -1;
        foreach (var entry in map.RootElement.EnumerateObject())
        {
            string name = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
            // Dataset names are sentence indices; anything else (a path, "..") is refused.
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) || !file.LinkExists(name))
                throw new FormatException($"{path}: sentence '{entry.Name}' points to '{name}', which is not a dataset index in the file");
            var dataset = file.Dataset(name);
            var dims = dataset.Space.Dimensions;
            if (dims.Length != 3) throw new FormatException($"{path}: dataset '{name}' has shape ({string.Join(", ", dims)}), not [layers, words, neurons]");
            if (layers < 0) { layers = checked((int)dims[0]); neurons = checked((int)dims[2]); }
            else if ((int)dims[0] != layers || (int)dims[2] != neurons)
                throw new FormatException($"{path}: dataset '{name}' is [{string.Join(", ", dims)}], the first was [{layers}, _, {neurons}]");
            int words = checked((int)dims[1]);
            var values = dataset.Read<float[]>();
            AddSentence(rows, values, layers, words, neurons);
            lengths.Add(words);
        }
        if (layers < 0) throw new FormatException($"{path}: no sentence");
        return (rows, lengths, layers, neurons);
    }

    private static (List<float[]>, List<int>, int, int) ReadJson(string path)
    {
        var rows = new List<float[]>();
        var lengths = new List<int>();
        int layers = -1, neurons = -1, lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{path}:{lineNumber}: no 'features' array");
            int words = 0;
            foreach (var token in features.EnumerateArray())
            {
                if (!token.TryGetProperty("layers", out var layerArray) || layerArray.ValueKind != JsonValueKind.Array)
                    throw new FormatException($"{path}:{lineNumber}: token {words} has no 'layers' array");
                var row = new List<float>();
                int tokenLayers = 0;
                foreach (var layer in layerArray.EnumerateArray())
                {
                    if (!layer.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
                        throw new FormatException($"{path}:{lineNumber}: token {words}, layer {tokenLayers} has no 'values' array");
                    int before = row.Count;
                    foreach (var v in values.EnumerateArray())
                        row.Add(v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw new FormatException($"{path}:{lineNumber}: token {words} holds {v.GetRawText()}, not a number"));
                    if (neurons < 0) neurons = row.Count - before;
                    else if (row.Count - before != neurons) throw new FormatException($"{path}:{lineNumber}: token {words}, layer {tokenLayers} has {row.Count - before} values, not {neurons}");
                    tokenLayers++;
                }
                if (layers < 0) layers = tokenLayers;
                else if (tokenLayers != layers) throw new FormatException($"{path}:{lineNumber}: token {words} has {tokenLayers} layers, not {layers}");
                rows.Add(row.ToArray());
                words++;
            }
            lengths.Add(words);
        }
        if (layers < 0) throw new FormatException($"{path}: no sentence");
        return (rows, lengths, layers, neurons);
    }

    private static void AddSentence(List<float[]> rows, float[] values, int layers, int words, int neurons)
    {
        for (int t = 0; t < words; t++)
        {
            var row = new float[layers * neurons];
            for (int l = 0; l < layers; l++)
                Array.Copy(values, (l * words + t) * neurons, row, l * neurons, neurons);
            rows.Add(row);
        }
    }

    /// <summary>NeuroX's word or label file: one sentence per line, whitespace-separated.</summary>
    public static List<string[]> ReadTokenLines(string path) =>
        File.ReadLines(path).Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList();
}
