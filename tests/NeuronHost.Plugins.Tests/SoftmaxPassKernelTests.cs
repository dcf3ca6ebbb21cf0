using NeuronHost.Plugins.Linear;
using Xunit;

namespace NeuronHost.Plugins.Tests;

/// <summary>The hand-written pass kernels against plain double-precision loops, on shapes that hit
/// every path: class tiles of 1–5 (17 = 4 + 4 + 4 + 5), leftover rows, feature counts below, at and
/// off the vector width.</summary>
public class SoftmaxPassKernelTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 7, 2 }, { 4, 32, 3 }, { 9, 33, 5 }, { 17, 100, 17 }, { 64, 1024, 17 }, { 37, 129, 6 },
        { 8, 64, 7 }, { 12, 40, 4 }, { 5, 31, 9 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void LogitsMatchCentredProduct(int rows, int features, int classes)
    {
        var (x, mean, wT) = Data(rows, features, classes, seed: rows * 31 + features);
        var z = new float[rows * classes];
        SoftmaxPassKernels.Logits(x, rows, features, mean, wT, classes, z);
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < classes; c++)
            {
                double expected = 0;
                for (int j = 0; j < features; j++) expected += ((double)x[i * features + j] - mean[j]) * wT[c * features + j];
                Assert.True(Math.Abs(z[i * classes + c] - expected) <= 1e-5 * (1 + Math.Sqrt(features)),
                    $"z[{i},{c}] = {z[i * classes + c]}, expected {expected}");
            }
    }

    /// <summary>A row's logits are the same bits whether the row is computed in a 4-row tile or on
    /// its own (a block's leftover rows): a silo holding a piece of a split predicts each row as one
    /// machine holding the whole split does, wherever the pieces are cut.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void A_rows_logits_do_not_depend_on_the_block_it_is_in(int rows, int features, int classes)
    {
        var (x, mean, wT) = Data(rows, features, classes, seed: rows * 7 + features);
        var whole = new float[rows * classes];
        SoftmaxPassKernels.Logits(x, rows, features, mean, wT, classes, whole);
        var alone = new float[classes];
        for (int i = 0; i < rows; i++)
        {
            SoftmaxPassKernels.Logits(x.AsSpan(i * features, features), 1, features, mean, wT, classes, alone);
            for (int c = 0; c < classes; c++)
                Assert.True(BitConverter.SingleToInt32Bits(alone[c]) == BitConverter.SingleToInt32Bits(whole[i * classes + c]),
                    $"row {i} class {c}: {alone[c]:R} alone, {whole[i * classes + c]:R} in a block of {rows}");
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void GradientAddsCentredTransposeProduct(int rows, int features, int classes)
    {
        var (x, mean, r) = Data(rows, features, classes, seed: rows * 17 + features);
        var rowsByClass = new float[rows * classes];
        Array.Copy(r, rowsByClass, Math.Min(r.Length, rowsByClass.Length));
        var gT = new float[classes * features];
        for (int k = 0; k < gT.Length; k++) gT[k] = k % 5 - 2;   // accumulates onto what is there
        SoftmaxPassKernels.AccumulateGradient(x, rows, features, mean, rowsByClass, classes, gT);
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < features; j++)
            {
                double expected = (c * features + j) % 5 - 2;
                for (int i = 0; i < rows; i++) expected += ((double)x[i * features + j] - mean[j]) * rowsByClass[i * classes + c];
                Assert.True(Math.Abs(gT[c * features + j] - expected) <= 1e-5 * (1 + Math.Sqrt(rows)),
                    $"g[{c},{j}] = {gT[c * features + j]}, expected {expected}");
            }
    }

    [Fact]
    public void BuffersTooSmallForTheShapeAreRejected()
    {
        Assert.Throws<ArgumentException>(() =>
            SoftmaxPassKernels.Logits(new float[6], 2, 3, new float[3], new float[8], 3, new float[6]));
        Assert.Throws<ArgumentException>(() =>
            SoftmaxPassKernels.AccumulateGradient(new float[6], 2, 3, new float[3], new float[5], 3, new float[9]));
    }

    private static (float[] X, float[] Mean, float[] Other) Data(int rows, int features, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new float[rows * features];
        for (int k = 0; k < x.Length; k++) x[k] = (float)(rng.NextDouble() * 4 - 1);
        var mean = new float[features];
        for (int j = 0; j < features; j++) mean[j] = (float)(rng.NextDouble() - 0.5);
        var other = new float[Math.Max(rows, features) * classes];
        for (int k = 0; k < other.Length; k++) other[k] = (float)(rng.NextDouble() * 2 - 1);
        return (x, mean, other);
    }
}
