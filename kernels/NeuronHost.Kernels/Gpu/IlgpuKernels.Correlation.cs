using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Kernels.Gpu.OnDevice;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

public sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<float>>? standardiseKernel;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>>? rowMaxAbsKernel;

    public float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        var result = new float[(long)a.Columns * b.Columns];
        CorrelationTiles(a, b, cancellation, (first, width, gram) =>
        {
            for (int i = 0; i < a.Columns; i++)
                for (int j = 0; j < width; j++)
                    result[(long)i * b.Columns + first + j] = Math.Clamp(gram[(long)i * width + j], -1f, 1f);
        }, null);
        return result;
    }

    public double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        var best = new double[a.Columns];
        CorrelationTiles(a, b, cancellation, null, tileMax =>
        {
            for (int i = 0; i < best.Length; i++) best[i] = Math.Max(best[i], Math.Min(tileMax[i], 1.0));
        });
        return best;
    }

    /// <summary>Column moments of both matrices (float64), then per tile of b's columns (as wide
    /// as the budget allows for the [D1, width] Gram tile): every row chunk standardised on the
    /// device, z = (x − mean)/(√N·sd) in float64 stored as float, and Gram += z_aᵀ·z_b by SGEMM
    /// (cuBLAS or the tiled kernel), so the tile holds ρ directly. The tile is read back
    /// (<paramref name="onGram"/>) or reduced on the device to max |ρ| per row
    /// (<paramref name="onTileMax"/>): [D1, D2] never has to exist on the device at once.</summary>
    private void CorrelationTiles(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation,
        Action<int, int, float[]>? onGram, Action<float[]>? onTileMax)
    {
        if (a.Rows != b.Rows)
            throw new ArgumentException($"correlation needs the same tokens: a has {a.Rows} rows, b has {b.Rows}");
        int d1 = a.Columns, d2 = b.Columns;
        if (d1 == 0 || d2 == 0) return;
        long n = a.Rows;
        var (meanA, varA) = ColumnMoments(a, cancellation);
        var (meanB, varB) = ColumnMoments(b, cancellation);
        if (n == 0) { onTileMax?.Invoke(new float[d1]); onGram?.Invoke(0, d2, new float[(long)d1 * d2]); return; }
        // 1/(√N·sd): 0 for a constant column, which then correlates 0.
        var scaleA = varA.Select(v => v > 0 ? 1.0 / Math.Sqrt(n * v) : 0.0).ToArray();
        var scaleB = varB.Select(v => v > 0 ? 1.0 / Math.Sqrt(n * v) : 0.0).ToArray();
        standardiseKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<float>>(CorrelationKernels.Standardise);
        rowMaxAbsKernel ??= Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>>(CorrelationKernels.RowMaxAbs);

        int width = (int)Math.Clamp(Budget / 2 / ((long)d1 * 4), 1, d2);
        using var meanABuffer = Accelerator.Allocate1D(meanA);
        using var meanBBuffer = Accelerator.Allocate1D(meanB);
        using var scaleABuffer = Accelerator.Allocate1D(scaleA);
        using var scaleBBuffer = Accelerator.Allocate1D(scaleB);
        for (int first = 0; first < d2; first += width)
        {
            cancellation.ThrowIfCancellationRequested();
            int w = Math.Min(width, d2 - first);
            // Per row: both inputs and both standardised copies, in each of the two slots.
            int rows = RowsPerChunk((long)(d1 + d2 + d1 + w) * 4, (long)Math.Max(d1, d2) * 4, (long)d1 * w * 4, n);
            using var gram = Accelerator.Allocate1D<float>((long)d1 * w);
            gram.MemSetToZero();
            using var stream = new ChunkStream(Accelerator, [a, b], rows, "correlation");
            rows = stream.RowsPerChunk;
            LastRowsPerChunk = rows;
            var za = new[] { Accelerator.Allocate1D<float>((long)rows * d1), Accelerator.Allocate1D<float>((long)rows * d1) };
            var zb = new[] { Accelerator.Allocate1D<float>((long)rows * w), Accelerator.Allocate1D<float>((long)rows * w) };
            try
            {
                ChunkSlot? previous = null;
                int tileFirst = first;
                stream.Run(slot =>
                {
                    var s = slot.Stream;
                    standardiseKernel(s, new Index2D(d1, slot.Rows), slot.Input(0, d1), d1, 0, d1, meanABuffer.View, scaleABuffer.View, za[slot.Index].View);
                    standardiseKernel(s, new Index2D(w, slot.Rows), slot.Input(1, d2), d2, tileFirst, w, meanBBuffer.View, scaleBBuffer.View, zb[slot.Index].View);
                    previous?.Stream.Synchronize();   // both slots accumulate into the one Gram tile
                    DeviceGemm(s, transposeA: true, transposeB: false, d1, w, slot.Rows, 1f, za[slot.Index].View, d1, zb[slot.Index].View, w, 1f, gram.View, w);
                    previous = slot;
                }, _ => { }, cancellation);
            }
            finally
            {
                foreach (var z in za.Concat(zb)) z.Dispose();
            }
            if (onGram is not null) onGram(first, w, gram.GetAsArray1D());
            if (onTileMax is not null)
            {
                using var best = Accelerator.Allocate1D<float>(d1);
                rowMaxAbsKernel(Accelerator.DefaultStream, new Index1D(d1), gram.View, w, best.View);
                onTileMax(best.GetAsArray1D());
            }
        }
    }
}
