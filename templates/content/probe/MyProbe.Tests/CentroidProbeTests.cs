using NeuronHost.Sdk;
using NeuronHost.Sdk.Testing;

namespace MyProbe.Tests;

public sealed class CentroidProbeTests
{
    [Fact]
    public void Predicts_the_nearest_class_mean_using_only_its_columns()
    {
        // Column 1 separates the classes (means 0 and 10); column 0 is a decoy that would send
        // every test token to the wrong class if the probe looked at it.
        float[,] train = { { 100, 0 }, { 100, 2 }, { -100, 10 }, { -100, 8 } };
        float[,] test = { { -100, 1 }, { 100, 9 }, { 0, 4 }, { 0, 6 } };
        var data = InMemoryData.Task(["a", "b"], InMemoryData.Split(train, [0, 0, 1, 1]), InMemoryData.Split(test, [0, 1, 0, 1]));
        var probe = new CentroidProbe { Standardize = false }.Train(data, [1], new TestPluginContext());

        Assert.Equal([1], probe.Columns);
        // Class means on column 1 are 1 and 9: 1 → a, 9 → b, 4 → a (distance 3 vs 5), 6 → b.
        Assert.Equal([0, 1, 0, 1], probe.Predict(data.Test!.Activations));
        Assert.Equal(1.0, probe.Evaluate(data.Test!, data.ClassNames).Accuracy, 12);
    }

    [Fact]
    public void Informative_neurons_beat_noise_neurons()
    {
        var data = InMemoryData.Separable(tokens: 2000, neurons: 16, informative: 4);
        var context = new TestPluginContext();
        var informative = new CentroidProbe().Train(data, [0, 1, 2, 3], context).Evaluate(data.Test!, data.ClassNames).Accuracy;
        var noise = new CentroidProbe().Train(data, [8, 9, 10, 11], context).Evaluate(data.Test!, data.ClassNames).Accuracy;
        Assert.True(informative > 0.95, $"accuracy on informative neurons {informative}");
        Assert.InRange(noise, 0.4, 0.6); // chance is 0.5 for two balanced classes
        Assert.Contains(context.LogLines, l => l.StartsWith("info: centroids of 2 classes", StringComparison.Ordinal));
    }
}
