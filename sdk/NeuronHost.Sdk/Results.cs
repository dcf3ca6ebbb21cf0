namespace NeuronHost.Sdk;

public sealed record RankedNeuron(int Column, NeuronRef Neuron, double Score);

/// <summary>Neurons ordered best first. Columns index the activation matrix the ranking was
/// computed on.</summary>
public sealed record Ranking(string Method, IReadOnlyList<RankedNeuron> Order)
{
    public int[] TopColumns(int k) => Order.Take(k).Select(n => n.Column).ToArray();
    public int[] BottomColumns(int k) => Order.Reverse().Take(k).Select(n => n.Column).ToArray();

    /// <summary>Builds a ranking from per-column scores, highest first; ties keep column order.</summary>
    public static Ranking FromScores(string method, IReadOnlyList<NeuronRef> neurons, IReadOnlyList<double> scores)
    {
        var order = Enumerable.Range(0, scores.Count)
            .OrderByDescending(i => double.IsNaN(scores[i]) ? double.NegativeInfinity : scores[i])
            .ThenBy(i => i)
            .Select(i => new RankedNeuron(i, neurons[i], scores[i]))
            .ToArray();
        return new Ranking(method, order);
    }
}

/// <summary>What a ranking method is given. <paramref name="OtherModels"/> holds activations of
/// other models (or layers) on the same tokens, for cross-model correlation.</summary>
public sealed record RankingRequest(ProbingData Data, IReadOnlyList<IActivationMatrix>? OtherModels = null);

/// <summary>Accuracy of a probe on one split.</summary>
public sealed record ProbeReport(
    long Tokens,
    double Accuracy,
    double MacroF1,
    IReadOnlyDictionary<string, double> PerClassAccuracy,
    IReadOnlyDictionary<string, double> PerClassF1)
{
    /// <summary>Scores predictions against gold labels.</summary>
    public static ProbeReport FromPredictions(ReadOnlySpan<int> gold, ReadOnlySpan<int> predicted, IReadOnlyList<string> classNames)
    {
        if (gold.Length != predicted.Length) throw new ArgumentException("gold and predicted differ in length");
        int c = classNames.Count;
        var tp = new long[c]; var goldCount = new long[c]; var predCount = new long[c];
        long correct = 0;
        for (int i = 0; i < gold.Length; i++)
        {
            goldCount[gold[i]]++;
            if ((uint)predicted[i] < (uint)c) predCount[predicted[i]]++;
            if (gold[i] == predicted[i]) { correct++; tp[gold[i]]++; }
        }
        var acc = new Dictionary<string, double>(); var f1 = new Dictionary<string, double>();
        double f1Sum = 0; int present = 0;
        for (int k = 0; k < c; k++)
        {
            if (goldCount[k] == 0 && predCount[k] == 0) continue;
            double recall = goldCount[k] == 0 ? 0 : (double)tp[k] / goldCount[k];
            double precision = predCount[k] == 0 ? 0 : (double)tp[k] / predCount[k];
            double score = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            if (goldCount[k] > 0) acc[classNames[k]] = recall;
            f1[classNames[k]] = score;
            f1Sum += score; present++;
        }
        return new ProbeReport(gold.Length, gold.Length == 0 ? double.NaN : (double)correct / gold.Length,
            present == 0 ? double.NaN : f1Sum / present, acc, f1);
    }
}

/// <summary>A probe after training: it predicts from the columns it was trained on.</summary>
public interface ITrainedProbe
{
    /// <summary>The columns it was trained on (those given to <see cref="IProbe.Train"/>).</summary>
    IReadOnlyList<int> Columns { get; }
    /// <summary>Predicted class per row. The host passes the FULL matrix (every neuron, the same
    /// columns as the training data), not only <see cref="Columns"/>: the probe must pick its
    /// columns itself (e.g. with <see cref="ActivationMatrixExtensions.GatherColumns"/>).</summary>
    int[] Predict(IActivationMatrix activations);
}

public static class TrainedProbeExtensions
{
    public static ProbeReport Evaluate(this ITrainedProbe probe, DataSplit split, IReadOnlyList<string> classNames) =>
        ProbeReport.FromPredictions(split.Labels.Span, probe.Predict(split.Activations), classNames);
}

/// <summary>A table of results (becomes a CSV and a table in the report). Cells are strings,
/// numbers or booleans.</summary>
public sealed record ResultTable(string Name, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object>> Rows);

/// <summary>What an intervention found: headline numbers and the tables behind them.</summary>
public sealed record InterventionReport(
    string Method,
    IReadOnlyDictionary<string, double> Summary,
    IReadOnlyList<ResultTable> Tables);

/// <summary>What an intervention is given. Each field is optional: a plugin says which it needs
/// and throws <see cref="PluginInputException"/> when one is missing.</summary>
public sealed record InterventionRequest(IModelSession Model)
{
    /// <summary>Rankings to intervene with (top / random / bottom are derived from them).</summary>
    public IReadOnlyList<Ranking> Rankings { get; init; } = [];
    /// <summary>The stored activations and labels the rankings were computed on.</summary>
    public ProbingData? Data { get; init; }
    /// <summary>Annotated sentences (held-out text, attributes for translation).</summary>
    public IReadOnlyList<AnnotatedSentence> Sentences { get; init; } = [];
    /// <summary>Multiple-choice prompts (NEG, skill neurons).</summary>
    public IReadOnlyList<ChoicePrompt> Prompts { get; init; } = [];
    /// <summary>A trained probe to re-evaluate on intervened activations.</summary>
    public ITrainedProbe? Probe { get; init; }
}
