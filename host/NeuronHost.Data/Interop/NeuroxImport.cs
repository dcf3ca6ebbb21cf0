using System.Runtime.InteropServices;
using System.Text.Json;

namespace NeuronHost.Data.Interop;

/// <summary>Reads a folder in NeuroX's layout — activations.hdf5 or activations.json, with
/// sentences.txt + labels.txt (NeuroX's own files) or our labels.json — by converting it into a
/// temporary export folder (activations.npy + labels.json) that <see cref="ActivationImport"/> loads.</summary>
public static class NeuroxImport
{
    /// <summary>The NeuroX activation file in <paramref name="directory"/>, or null.</summary>
    public static string? ActivationFile(string directory) =>
        new[] { NeuroxActivations.Hdf5File, NeuroxActivations.JsonFile }.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);

    /// <summary>Writes the converted folder under the temp directory and returns its path (the caller deletes it).</summary>
    public static string Convert(string directory, string activationFile)
    {
        var (rows, lengths, layers, neurons) = NeuroxActivations.Read(activationFile);
        string temp = Path.Combine(Path.GetTempPath(), $"neuronhost-neurox-import-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            using (var stream = File.Create(Path.Combine(temp, StoreExport.ActivationsFile)))
            {
                stream.Write(Npy.Float32Header(rows.Count, layers * neurons));
                foreach (var row in rows) stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
            string ours = Path.Combine(directory, StoreExport.LabelsFile);
            if (File.Exists(ours)) File.Copy(ours, Path.Combine(temp, StoreExport.LabelsFile));
            else WriteLabelsFromText(directory, lengths, Path.Combine(temp, StoreExport.LabelsFile));
            string neuronNames = Path.Combine(directory, StoreExport.NeuronsFile);
            if (File.Exists(neuronNames)) File.Copy(neuronNames, Path.Combine(temp, StoreExport.NeuronsFile));
            else WriteLayerNeurons(Path.Combine(temp, StoreExport.NeuronsFile), layers, neurons);
            return temp;
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    private static void WriteLabelsFromText(string directory, List<int> lengths, string output)
    {
        string sentencesPath = Path.Combine(directory, NeuroxActivations.SentencesFile);
        string labelsPath = Path.Combine(directory, NeuroxActivations.LabelsFile);
        foreach (var p in new[] { sentencesPath, labelsPath })
            if (!File.Exists(p)) throw new FileNotFoundException($"{p}: missing (NeuroX's words and labels, one sentence per line, beside its activations; or our labels.json)", p);
        var sentences = NeuroxActivations.ReadTokenLines(sentencesPath);
        var labels = NeuroxActivations.ReadTokenLines(labelsPath);
        if (sentences.Count != lengths.Count) throw new FormatException($"{sentencesPath}: {sentences.Count} lines for {lengths.Count} sentences of activations");
        if (labels.Count != lengths.Count) throw new FormatException($"{labelsPath}: {labels.Count} lines for {lengths.Count} sentences of activations");
        for (int s = 0; s < lengths.Count; s++)
        {
            if (sentences[s].Length != lengths[s]) throw new FormatException($"{sentencesPath}:{s + 1}: {sentences[s].Length} words, the activations have {lengths[s]}");
            if (labels[s].Length != lengths[s]) throw new FormatException($"{labelsPath}:{s + 1}: {labels[s].Length} labels for {lengths[s]} words");
        }
        var classNames = labels.SelectMany(l => l).Where(l => l != NeuroxActivations.NoLabel).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classNames.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        using var stream = File.Create(output);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("task", "neurox:" + Path.GetFileName(labelsPath));
        json.WriteStartArray("classNames"); foreach (var c in classNames) json.WriteStringValue(c); json.WriteEndArray();
        json.WriteStartArray("labels"); foreach (var l in labels.SelectMany(l => l)) json.WriteNumberValue(index.TryGetValue(l, out int i) ? i : -1); json.WriteEndArray();
        json.WriteStartArray("words"); foreach (var w in sentences.SelectMany(w => w)) json.WriteStringValue(w); json.WriteEndArray();
        json.WriteStartArray("sentences"); for (int s = 0; s < lengths.Count; s++) for (int t = 0; t < lengths[s]; t++) json.WriteNumberValue(s); json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLayerNeurons(string output, int layers, int neurons)
    {
        using var stream = File.Create(output);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartArray("columns");
        for (int l = 0; l < layers; l++)
            for (int j = 0; j < neurons; j++)
            {
                json.WriteStartObject();
                json.WriteString("hookPoint", $"neurox.layer{l}");
                json.WriteNumber("index", j);
                json.WriteEndObject();
            }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
