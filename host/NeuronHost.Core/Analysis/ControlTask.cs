using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>Hewitt &amp; Liang control task (NeuroX data/control_task.py): every word type gets one
/// fixed random label drawn from the task's training label distribution; each token takes its
/// word type's label. Needs <see cref="DataSplit.Words"/>. Word types are matched exactly.</summary>
public static class ControlTask
{
    public static ControlLabels Build(ProbingData data, int seed)
    {
        var counts = new long[data.ClassCount];
        foreach (int y in data.Train.Labels.Span) if ((uint)y < (uint)counts.Length) counts[y]++;
        long total = counts.Sum();
        if (total == 0) throw new GridException($"task '{data.Task}': no training labels to draw control labels from");
        var rng = new Random(seed);
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal);
        int Draw()
        {
            double u = rng.NextDouble() * total;
            for (int c = 0; c < counts.Length; c++) { u -= counts[c]; if (u < 0) return c; }
            return counts.Length - 1;
        }
        ReadOnlyMemory<int>? Labels(DataSplit? split, string name)
        {
            if (split is null) return null;
            if (split.Words is null) throw new GridException($"task '{data.Task}': the {name} split has no word forms, so no control task can be built");
            if (split.Words.Count != split.Tokens) throw new GridException($"task '{data.Task}': {name} has {split.Words.Count} words for {split.Tokens} tokens");
            var result = new int[split.Words.Count];
            for (int i = 0; i < result.Length; i++)
            {
                if (!assigned.TryGetValue(split.Words[i], out int label)) assigned[split.Words[i]] = label = Draw();
                result[i] = label;
            }
            return result;
        }
        var train = Labels(data.Train, "train")!.Value;
        return new ControlLabels(data.ClassNames, train, Labels(data.Dev, "dev"), Labels(data.Test, "test"));
    }
}
