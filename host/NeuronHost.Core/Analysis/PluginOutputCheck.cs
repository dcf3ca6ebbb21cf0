using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>What the host checks of plugin outputs before using them. Each check returns what was
/// wrong (one line, for the failure record) or null when the output is usable.</summary>
public static class PluginOutputCheck
{
    /// <summary>A ranking over <paramref name="neurons"/>: every column in range and naming the
    /// neuron it says, no column twice, finite scores, at least <paramref name="largestK"/> neurons.</summary>
    public static string? Ranking(Ranking? ranking, IReadOnlyList<NeuronRef> neurons, int largestK)
    {
        if (ranking?.Order is not { } order) return "returned no ranking (null)";
        if (order.Count == 0) return "returned an empty ranking";
        var seen = new HashSet<int>();
        for (int i = 0; i < order.Count; i++)
        {
            var n = order[i];
            if (n is null) return $"rank {i + 1} is null";
            if ((uint)n.Column >= (uint)neurons.Count)
                return $"rank {i + 1} refers to column {n.Column}, outside 0..{neurons.Count - 1} (the data has {neurons.Count} neurons)";
            if (!seen.Add(n.Column)) return $"column {n.Column} ({neurons[n.Column]}) appears twice (again at rank {i + 1})";
            if (n.Neuron != neurons[n.Column]) return $"rank {i + 1} says column {n.Column} is {n.Neuron}, but it is {neurons[n.Column]}";
            if (!double.IsFinite(n.Score)) return $"rank {i + 1} ({neurons[n.Column]}) has score {NonFinite(n.Score)}; scores must be finite";
        }
        if (order.Count < largestK)
            return $"ranks only {order.Count} of the {neurons.Count} neurons, fewer than the largest k ({largestK})";
        return null;
    }

    private static string NonFinite(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";

    /// <summary>One prediction per row, each a class index.</summary>
    public static string? Predictions(int[]? predicted, long rows, int classCount, string split)
    {
        if (predicted is null) return $"predicted nothing (null) for the {split} split";
        if (predicted.Length != rows) return $"predicted {predicted.Length} labels for the {rows} tokens of the {split} split";
        for (int i = 0; i < predicted.Length; i++)
            if ((uint)predicted[i] >= (uint)classCount)
                return $"predicted class {predicted[i]} for token {i} of the {split} split; classes are 0..{classCount - 1}";
        return null;
    }

    /// <summary>A probe scored where its rows are (<see cref="IHeldRowsProbe"/>): an accuracy in [0, 1]
    /// for every split with rows and NaN for one without, and a right/wrong for every row of the
    /// held-out split (test, else dev, else train).</summary>
    public static string? HeldScores(double train, double dev, double test, bool[]? heldOutCorrect, ProbingData data)
    {
        long Rows(DataSplit? s) => s?.Tokens ?? 0;
        foreach (var (split, accuracy, rows) in new[] { ("train", train, Rows(data.Train)), ("dev", dev, Rows(data.Dev)), ("test", test, Rows(data.Test)) })
            if (rows == 0 ? !double.IsNaN(accuracy) : !(accuracy is >= 0 and <= 1))
                return $"returned a {split} accuracy of {accuracy.ToString(System.Globalization.CultureInfo.InvariantCulture)} for the {rows} tokens of the {split} split";
        long heldOut = Rows(data.Test) > 0 ? Rows(data.Test) : Rows(data.Dev) > 0 ? Rows(data.Dev) : Rows(data.Train);
        if (heldOutCorrect is null || heldOutCorrect.LongLength != heldOut)
            return $"returned {heldOutCorrect?.LongLength ?? 0} held-out results for the {heldOut} held-out tokens";
        return null;
    }
}
