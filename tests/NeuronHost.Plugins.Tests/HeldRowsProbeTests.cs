using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>The linear probe over rows that stay with their holders, as the probe grid runs it on a
/// cluster: each holder a <see cref="IHeldRowsService"/> made by the plugin over its parts of the
/// train, dev and test splits, every exchange bytes through <see cref="IRowHolders"/>.</summary>
public sealed class HeldRowsProbeTests(ITestOutputHelper output)
{
    /// <summary>Real EWT rows (gpt2-mini-brown layer 1, UPOS; train, dev and test) cut into parts off
    /// the training's segment grid and dealt to 3 holders — one with no test rows, one with no dev
    /// rows: on 1, 10 (a scalar tail in every dot product) and all 1,024 neurons, the accuracies on
    /// every split and the right/wrong of every test row are those of the probe trained and
    /// predicting on all the rows in one place — early stopping on dev included.</summary>
    [SharedFact]
    public void The_probe_over_three_holders_of_real_rows_scores_as_the_local_probe_on_every_split()
    {
        var data = Layer1Splits();
        var context = new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels());
        var task = new HeldRowsTask(data.Task, data.ClassNames, data.Neurons, data.Train.Tokens) { DevRows = data.Dev!.Tokens, TestRows = data.Test!.Tokens };
        var (services, ranges) = Deal(data, new LinearProbe { MaxIterations = 40 }, context);
        int d = data.Neurons.Count;
        double best = 0;
        foreach (var columns in new[] { new[] { 17 }, Enumerable.Range(0, 10).Select(i => (i * 97 + 5) % d).ToArray(), Enumerable.Range(0, d).ToArray() })
        {
            var local = new LinearProbe { MaxIterations = 40 };
            var trained = local.Train(data, columns, context);
            var (train, _) = Score(trained, data.Train);
            var (dev, _) = Score(trained, data.Dev);
            var (test, testRight) = Score(trained, data.Test);

            var holders = new InProcessHolders(services, ranges);
            var held = new LinearProbe { MaxIterations = 40 }.TrainOverHeldRows(task, columns, holders, context);
            output.WriteLine($"{columns.Length} neuron(s): train {held.Train:P3} / {train:P3} local, dev {held.Dev:P3} / {dev:P3}, test {held.Test:P3} / {test:P3}; "
                + $"{holders.Calls} messages ({string.Join(", ", holders.CallsByOp.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}), "
                + $"{holders.BytesSent:N0} bytes to the holders, {holders.BytesReceived:N0} from them "
                + $"(the rows' columns: {(task.TrainRows + task.DevRows + task.TestRows) * columns.Length * 4L:N0})");
            Assert.Equal(train, held.Train);
            Assert.Equal(dev, held.Dev);
            Assert.Equal(test, held.Test);
            Assert.Equal(testRight, held.HeldOutCorrect);
            best = Math.Max(best, held.Test);
        }
        // the comparison is not between two probes that learned nothing: all neurons beat the majority class by far
        var labels = data.Test.Labels.ToArray();
        double majority = labels.GroupBy(l => l).Max(g => g.Count()) / (double)labels.Length;
        Assert.True(best > majority + 0.3, $"best test accuracy {best:P1}, majority {majority:P1}");
        foreach (var s in services) s.Dispose();
    }

    [Fact]
    public void A_message_out_of_turn_or_of_another_size_is_refused_naming_its_sender()
    {
        var neurons = Enumerable.Range(0, 4).Select(i => new NeuronRef("h", i)).ToArray();
        var task = new HeldRowsTask("t", ["a", "b"], neurons, 3) { DevRows = 2 };
        var rows = new HeldRows([new HeldRowsPart(0, new DenseActivationMatrix(new float[12], 3, neurons), new[] { 0, 1, 0 })], task)
        {
            Dev = [new HeldRowsPart(0, new DenseActivationMatrix(new float[] { 1, 2, 3, 4, 5, 6, 7, float.NaN }, 2, neurons), new[] { 1, 0 })],
        };
        var service = new LinearProbe().Serve(rows, new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels()));
        Assert.Contains("before it selected the neurons", Assert.Throws<InvalidOperationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.ClassCounts).Int(2).ToArray(), default)).Message);
        Assert.Contains("before it selected the neurons", Assert.Throws<InvalidOperationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Count).Int(1).Floats(new float[1]).Floats(new float[2]).Floats(new float[2]).ToArray(), default)).Message);
        Assert.Contains("column 4 is outside 0..3", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Select).Ints([1, 4]).ToArray(), default)).Message);
        // a non-finite dev value is refused naming its row and neuron, when its column is selected
        Assert.Contains("row 1", Assert.Throws<NonFiniteActivationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Select).Ints([3]).ToArray(), default)).Message);
        service.Answer(new MessageWriter(HeldRowsOp.Select).Ints([0, 2]).ToArray(), default);
        Assert.Contains("a list of 3 values where 2 fit", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Count).Int(1).Floats(new float[3]).Floats(new float[4]).Floats(new float[2]).ToArray(), default)).Message);
        Assert.Contains("weights of 3 values for 2 classes × 2 neurons", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Count).Int(1).Floats(new float[2]).Floats(new float[3]).Floats(new float[2]).ToArray(), default)).Message);
        Assert.Contains("split 3", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Score).Int(3).Floats(new float[2]).Floats(new float[4]).Floats(new float[2]).ToArray(), default)).Message);
        // dev row 0 is (1, 3) on the selected neurons: class 1 wins with these weights, its label
        var counted = new MessageReader(service.Answer(new MessageWriter(HeldRowsOp.Count).Int(1).Floats(new float[2])
            .Floats([0, 0, 1, 1]).Floats([0, 0]).ToArray(), default), "holder");
        Assert.Equal((1L, 2L), (counted.Long(), counted.Long()));
    }

    /// <summary>The layer-1 columns of the EWT slice's train, dev and test rows, in memory.</summary>
    private static ProbingData Layer1Splits()
    {
        using var store = EwtUposSlice.Open();
        var data = StoreTaskData.Build(store, TaskSpec.Upos, new TaskOptions { MinCount = 20, Seed = 3 }).Data;
        var columns = Enumerable.Range(0, data.Neurons.Count).Where(j => data.Neurons[j].HookPoint == HookPoints.MlpPost(1)).ToArray();
        var neurons = columns.Select(j => data.Neurons[j]).ToArray();
        DataSplit Dense(DataSplit s) => new(new DenseActivationMatrix(s.Activations.GatherColumns(columns), (int)s.Tokens, neurons), s.Labels.ToArray());
        return new ProbingData(data.Task, data.ClassNames, Dense(data.Train), Dense(data.Dev!), Dense(data.Test!));
    }

    /// <summary>Each split cut in 5 parts off the 512-row grid, dealt p % 3 (train), to holders 0 and 1 only (dev), to 1 and 2 only (test).</summary>
    private static (IHeldRowsService[] Services, List<(long, long)>[] Ranges) Deal(ProbingData data, LinearProbe probe, IPluginContext context)
    {
        var parts = new[] { new List<HeldRowsPart>[3], new List<HeldRowsPart>[3], new List<HeldRowsPart>[3] };
        foreach (var p in parts) for (int h = 0; h < 3; h++) p[h] = [];
        var ranges = new List<(long, long)>[3];
        for (int h = 0; h < 3; h++) ranges[h] = [];
        var splits = new[] { data.Train, data.Dev!, data.Test! };
        for (int s = 0; s < 3; s++)
        {
            var x = ((DenseActivationMatrix)splits[s].Activations).Span.ToArray();
            int n = (int)splits[s].Tokens, d = data.Neurons.Count;
            long[] cuts = [0, n / 7 + 13, n / 3 + 301, n / 2 + 7, 4L * n / 5 + 99, n];
            for (int p = 0; p + 1 < cuts.Length; p++)
            {
                int first = (int)cuts[p], rows = (int)(cuts[p + 1] - first);
                int h = s == 0 ? p % 3 : s == 1 ? p % 2 : 1 + p % 2;
                parts[s][h].Add(new HeldRowsPart(first, new DenseActivationMatrix(x.AsMemory(first * d, rows * d), rows, data.Neurons),
                    splits[s].Labels.Slice(first, rows)));
                if (s == 0) ranges[h].Add((first, first + rows));
            }
        }
        var task = new HeldRowsTask(data.Task, data.ClassNames, data.Neurons, data.Train.Tokens) { DevRows = data.Dev!.Tokens, TestRows = data.Test!.Tokens };
        var services = Enumerable.Range(0, 3).Select(h => probe.Serve(new HeldRows(parts[0][h], task) { Dev = parts[1][h], Test = parts[2][h] }, context)).ToArray();
        return (services, ranges);
    }

    private static (double Accuracy, bool[] Right) Score(ITrainedProbe trained, DataSplit split)
    {
        var predicted = trained.Predict(split.Activations);
        var labels = split.Labels.Span;
        var right = new bool[predicted.Length];
        for (int i = 0; i < right.Length; i++) right[i] = predicted[i] == labels[i];
        return (right.Count(r => r) / (double)right.Length, right);
    }
}
