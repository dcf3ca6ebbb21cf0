using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>One neuron as the Results view opens it: the words (in context) that activate it
/// most, as the run recorded them, and its mean activation per class on the task's train words,
/// read back from the run's activation store.</summary>
public sealed record NeuronDetail(RankedNeuronResult Neuron, IReadOnlyList<ActivatingContext> Contexts, IReadOnlyList<(string Class, double Mean, long Count)> ClassMeans, string? ClassMeansNote)
{
    public static NeuronDetail For(RunResults results, string ranking, RankedNeuronResult neuron)
    {
        var contexts = results.TopNeuronContexts.FirstOrDefault(c => c.Ranking == ranking && c.HookPoint == neuron.HookPoint && c.Index == neuron.Index)?.Examples
            ?? results.TopNeuronContexts.FirstOrDefault(c => c.HookPoint == neuron.HookPoint && c.Index == neuron.Index)?.Examples ?? [];
        try
        {
            if (results.ConfigYaml is null) return new(neuron, contexts, [], "the run recorded no config, so its activation store is unknown");
            var config = AnalysisYaml.Parse(results.ConfigYaml);
            string storeDir = ExtractStage.StoreDirectory(config);
            if (!File.Exists(Path.Combine(storeDir, StoreManifest.FileName)))
                return new(neuron, contexts, [], $"activation store {storeDir} is gone");
            using var store = ActivationStore.Open(storeDir);
            int column = store.Neurons.ToList().IndexOf(new NeuronRef(neuron.HookPoint, neuron.Index));
            if (column < 0) return new(neuron, contexts, [], $"the store {storeDir} has no column for {neuron.Neuron}");
            var task = StoreTaskData.Build(store, TaskSpec.Parse(config.Task.Name), new TaskOptions
            {
                MinCount = config.Task.MinClassCount, TrainFraction = config.Corpus.Split[0], DevFraction = config.Corpus.Split[1], Seed = config.Seed,
            });
            return new(neuron, contexts, MeansByClass(task.Data.Train.Activations, task.Data.Train.Labels.Span, task.Data.ClassNames, column), null);
        }
        catch (Exception e) when (e is IOException or ConfigException or InvalidOperationException or UnauthorizedAccessException or StoreFormatException or StoreMismatchException)
        {
            return new(neuron, contexts, [], $"per-class means unavailable: {e.Message}");
        }
    }

    /// <summary>Mean of one column per label over all rows (classes without rows are left out).</summary>
    public static List<(string Class, double Mean, long Count)> MeansByClass(IActivationMatrix matrix, ReadOnlySpan<int> labels, IReadOnlyList<string> classes, int column)
    {
        var sum = new double[classes.Count];
        var count = new long[classes.Count];
        for (int b = 0; b < matrix.BlockCount; b++)
        {
            var block = matrix.GetBlock(b);
            for (int r = 0; r < block.Rows; r++)
            {
                int label = labels[(int)(block.FirstRow + r)];
                if (label < 0 || label >= classes.Count) continue;
                sum[label] += block.Row(r)[column];
                count[label]++;
            }
        }
        return Enumerable.Range(0, classes.Count).Where(c => count[c] > 0).Select(c => (classes[c], sum[c] / count[c], count[c])).ToList();
    }
}
