using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.CrossModel;
using NeuronHost.Plugins.IoU;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

/// <summary>Probeless, IoU and cross-model rankings against numpy / scikit-learn on the same data,
/// run on the real CPU kernels.</summary>
public class SimpleRankingTests
{
    private static PluginContext Cpu() => new(new CpuKernels());

    private static (ProbingData Data, string Dir) Saved(string name, int rows, int d, int classes, int seed)
    {
        var data = TestData.Probing(rows, 0, d, classes, seed, informative: 6);
        var dir = TestData.TempDir(name);
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), data.Train.Activations.ToArray());
        TestData.WriteInts(Path.Combine(dir, "y.bin"), data.Train.Labels.ToArray());
        return (data, dir);
    }

    [Fact]
    public void ProbelessMatchesNumpy()
    {
        var (data, dir) = Saved("probeless", 900, 12, 5, 3);
        var overall = new ProbelessRanking().Rank(new RankingRequest(data), Cpu());
        var perTag = new ProbelessRanking { Tag = "C2" }.Rank(new RankingRequest(data), Cpu());
        var v = Py.Numbers(Py.Run("""
            import numpy as np
            X = np.fromfile("x.bin", dtype=np.float32).reshape(-1, 12).astype(np.float64)
            y = np.fromfile("y.bin", dtype=np.int32)
            q = np.stack([X[y == c].mean(0) for c in range(5)])
            overall = sum(np.abs(q[a] - q[b]) for a in range(5) for b in range(a + 1, 5))
            tag = sum(np.abs(q[2] - q[b]) for b in range(5) if b != 2)
            print(" ".join(map(repr, overall)), " ".join(map(repr, tag)))
            """, dir));
        foreach (var r in overall.Order) Assert.Equal(v[r.Column], r.Score, 1e-5);
        foreach (var r in perTag.Order) Assert.Equal(v[12 + r.Column], r.Score, 1e-5);
        Assert.Equal(Enumerable.Range(0, 12).OrderByDescending(j => v[j]).First(), overall.Order[0].Column);
    }

    [Fact]
    public void IoUAveragePrecisionMatchesScikitLearn()
    {
        var (data, dir) = Saved("iou", 700, 10, 4, 4);
        // quantise some columns so that ties occur, as ReLU/GELU activations have them
        var x = data.Train.Activations.ToArray();
        for (int i = 0; i < 700; i++) for (int j = 0; j < 3; j++) x[i * 10 + j] = MathF.Round(x[i * 10 + j]);
        data = data with { Train = data.Train with { Activations = new DenseActivationMatrix(x, 700, data.Neurons) } };
        TestData.WriteFloats(Path.Combine(dir, "x.bin"), x);
        var plugin = new IoURanking { Threshold = 0.5 };
        plugin.Rank(new RankingRequest(data), Cpu());
        var v = Py.Numbers(Py.Run("""
            import numpy as np
            from sklearn.metrics import average_precision_score
            X = np.fromfile("x.bin", dtype=np.float32).reshape(-1, 10)
            y = np.fromfile("y.bin", dtype=np.int32)
            X[np.abs(X) < 0.5] = 0
            print(" ".join(repr(average_precision_score(y == c, X[:, j])) for j in range(10) for c in range(4)))
            """, dir));
        for (int k = 0; k < 40; k++) Assert.Equal(v[k], plugin.AveragePrecision[k], 1e-9);
    }

    [Fact]
    public void CrossModelIsMaxAbsCorrelationAsNumpy()
    {
        var (data, dir) = Saved("cross", 500, 8, 3, 6);
        var other = TestData.Probing(500, 0, 5, 3, 7).Train.Activations;
        var x = other.ToArray();
        var mine = data.Train.Activations.ToArray();
        for (int i = 0; i < 500; i++) x[i * 5 + 1] = -2 * mine[i * 8 + 3] + 0.1f * x[i * 5 + 1];  // neuron 3 has a twin
        var otherM = new DenseActivationMatrix(x, 500, 5);
        TestData.WriteFloats(Path.Combine(dir, "o.bin"), x);
        var ranking = new CrossModelRanking().Rank(new RankingRequest(data, [otherM]), Cpu());
        var v = Py.Numbers(Py.Run("""
            import numpy as np
            A = np.fromfile("x.bin", dtype=np.float32).reshape(-1, 8).astype(np.float64)
            B = np.fromfile("o.bin", dtype=np.float32).reshape(-1, 5).astype(np.float64)
            R = np.corrcoef(A.T, B.T)[:8, 8:]
            print(" ".join(map(repr, np.abs(R).max(1))))
            """, dir));
        foreach (var r in ranking.Order) Assert.Equal(v[r.Column], r.Score, 1e-4);
        Assert.Equal(3, ranking.Order[0].Column);
    }

    [Fact]
    public void BadInputsGiveClearMessages()
    {
        var data = TestData.Probing(100, 0, 4, 3, 1);
        var e1 = Assert.Throws<PluginInputException>(() => new CrossModelRanking().Rank(new RankingRequest(data), Cpu()));
        Assert.Contains("other model", e1.Message);
        var short_ = new DenseActivationMatrix(new float[50 * 2], 50, 2);
        var e2 = Assert.Throws<PluginInputException>(() => new CrossModelRanking().Rank(new RankingRequest(data, [short_]), Cpu()));
        Assert.Contains("50 token rows", e2.Message);
        var e3 = Assert.Throws<PluginInputException>(() => new ProbelessRanking { Tag = "NOPE" }.Rank(new RankingRequest(data), Cpu()));
        Assert.Contains("no class 'NOPE'", e3.Message);
        var oneClass = data with { Train = data.Train with { Labels = new int[100] } };
        var e4 = Assert.Throws<PluginInputException>(() => new ProbelessRanking().Rank(new RankingRequest(oneClass), Cpu()));
        Assert.Contains("1 class", e4.Message);
    }
}
