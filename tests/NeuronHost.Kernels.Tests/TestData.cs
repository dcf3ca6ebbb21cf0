using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests;

/// <summary>Deterministic random activations: every column has its own offset and scale (as
/// real neurons do), some columns depend on the label, so class means differ.</summary>
public static class TestData
{
    public static float[] Matrix(int rows, int cols, int seed, double offset = 0, int[]? labels = null)
    {
        var rng = new Random(seed);
        var colOffset = Enumerable.Range(0, cols).Select(_ => offset + rng.NextDouble() * 4 - 2).ToArray();
        var colScale = Enumerable.Range(0, cols).Select(_ => 0.1 + rng.NextDouble() * 3).ToArray();
        var x = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                double shift = labels is null || labels[r] < 0 ? 0 : ((labels[r] * 7 + j) % 5) * 0.5;
                x[r * cols + j] = (float)(colOffset[j] + shift + colScale[j] * Gaussian(rng));
            }
        return x;
    }

    public static int[] Labels(int rows, int classes, int seed, bool withUnlabelled = true, int emptyClass = -1)
    {
        var rng = new Random(seed);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int l;
            do l = withUnlabelled && rng.Next(10) == 0 ? -1 : rng.Next(classes);
            while (l == emptyClass && classes > 1);
            labels[r] = l;
        }
        return labels;
    }

    public static DenseActivationMatrix Dense(float[] x, int rows, int cols, int rowsPerBlock = 0) =>
        new(x, rows, cols, "test", rowsPerBlock);

    public static double Gaussian(Random rng)
    {
        double u = 1 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
