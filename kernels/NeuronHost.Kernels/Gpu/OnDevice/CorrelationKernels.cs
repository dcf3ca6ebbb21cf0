using ILGPU;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>The two steps around the Gram GEMM of a correlation.</summary>
internal static class CorrelationKernels
{
    /// <summary>z[r, j] = (x[r, first + j] − mean[first + j]) · scale[first + j] in float64,
    /// stored as float: scale = 1/(√N·sd), so Σ_r z_a·z_b is Pearson's ρ.</summary>
    public static void Standardise(Index2D index, ArrayView<float> x, int columns, int first, int width,
        ArrayView<double> mean, ArrayView<double> scale, ArrayView<float> z)
    {
        int j = index.X, r = index.Y;
        int c = first + j;
        z[(long)r * width + j] = (float)((x[(long)r * columns + c] - mean[c]) * scale[c]);
    }

    /// <summary>best[i] = max over j of |gram[i, j]| for one tile of b's columns.</summary>
    public static void RowMaxAbs(Index1D row, ArrayView<float> gram, int width, ArrayView<float> best)
    {
        float m = 0;
        for (int j = 0; j < width; j++)
        {
            float v = gram[(long)(int)row * width + j];
            v = v < 0 ? -v : v;
            m = v > m ? v : m;
        }
        best[row] = m;
    }
}
