using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    private const string CorrelationGemmOptions = "-DTRANS_A -DCENTER -DC_ACC";
    private const int GemmTile = 64, GemmItems = 16;

    public float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        var result = new float[(long)a.Columns * b.Columns];
        CorrelationTiles(a, b, cancellation, (col0, width, gram, invA, invB) =>
        {
            for (int i = 0; i < a.Columns; i++)
                for (int j = 0; j < width; j++)
                {
                    double r = gram[(long)i * width + j] * invA[i] * invB[col0 + j];
                    result[(long)i * b.Columns + col0 + j] = (float)Math.Clamp(r, -1.0, 1.0);
                }
        }, null);
        return result;
    }

    public double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        using var serial = Serialize();
        var best = new double[a.Columns];
        CorrelationTiles(a, b, cancellation, null, (tileMax) =>
        {
            for (int i = 0; i < best.Length; i++) best[i] = Math.Max(best[i], Math.Min(tileMax[i], 1.0));
        });
        return best;
    }

    /// <summary>Column moments of both matrices, then, per tile of b's columns (as wide as the
    /// budget allows for the [D1, width] Gram tile), the centred Gram matrix accumulated over
    /// all row chunks by the tiled GEMM kernel. Either the tile is read back
    /// (<paramref name="onGram"/>) or reduced on the device to a per-row max |ρ|
    /// (<paramref name="onTileMax"/>), so [D1, D2] never has to exist at once.</summary>
    private unsafe void CorrelationTiles(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation,
        Action<int, int, double[], double[], double[]>? onGram, Action<double[]>? onTileMax)
    {
        if (a.Rows != b.Rows)
            throw new ArgumentException($"correlation needs the same tokens: a has {a.Rows} rows, b has {b.Rows}");
        int d1 = a.Columns, d2 = b.Columns;
        if (d1 == 0 || d2 == 0) return;
        long n = a.Rows;
        var (meanA, varA) = ColumnMoments(a, cancellation);
        var (meanB, varB) = ColumnMoments(b, cancellation);
        // 1 / (√N·sd), so that inv_a·inv_b = 1 / (N·sd_a·sd_b); 0 for a constant column (which then correlates 0).
        var invA = varA.Select(v => v > 0 ? 1.0 / Math.Sqrt(n * v) : 0.0).ToArray();
        var invB = varB.Select(v => v > 0 ? 1.0 / Math.Sqrt(n * v) : 0.0).ToArray();
        if (n == 0) { onTileMax?.Invoke(new double[d1]); return; }
        var meanAf = meanA.Select(v => (float)v).ToArray();
        var meanBf = meanB.Select(v => (float)v).ToArray();

        int accBytes = AccumulatesInDouble ? 8 : 4;
        // Widest b tile whose Gram block takes at most half the budget (whole multiples of the GEMM tile).
        long tileBytesPerColumn = (long)d1 * accBytes;
        long widthLimit = Math.Max(1, Budget / 2 / tileBytesPerColumn);
        widthLimit = Math.Min(widthLimit, (long)Math.Min(Device.MaxAllocBytes, long.MaxValue) / tileBytesPerColumn);
        int width = (int)Math.Min(d2, widthLimit);
        if (width < d2 && width > GemmTile) width = width / GemmTile * GemmTile;
        width = Math.Max(width, 1);

        using var meanABuf = ctx.Buffer<float>(meanAf, "mean a");
        using var meanBBuf = ctx.Buffer<float>(meanBf, "mean b");
        using var invABuf = AccBuffer(invA, "1/(√N·sd) a");
        using var invBBuf = AccBuffer(invB, "1/(√N·sd) b");

        for (int col0 = 0; col0 < d2; col0 += width)
        {
            cancellation.ThrowIfCancellationRequested();
            int w = Math.Min(width, d2 - col0);
            int rowsPerChunk = RowsPerChunk((long)(d1 + d2) * 4, (long)Math.Max(d1, d2) * 4, (long)d1 * w * accBytes, n);
            WithChunkRetry(rowsPerChunk, rows =>
            {
                using var gram = ctx.Buffer((long)d1 * w * accBytes, "centred Gram tile");
                if (AccumulatesInDouble) ctx.Fill(gram, 0.0, (long)d1 * w); else ctx.Fill(gram, 0f, (long)d1 * w);
                using var pipeline = new ChunkPipeline(ctx, [a, b], rows, Options, "correlation");
                LastRowsPerChunk = pipeline.RowsPerChunk;
                using var gemm = Kernel("gemm.cl", "gemm_tiled", CorrelationGemmOptions);
                pipeline.Run((slot, chunk, inputs) =>
                {
                    gemm.Arg(0, d1).Arg(1, w).Arg(2, chunk.Rows).Arg(3, 1f)
                        .Arg(4, inputs[0]).Arg(5, d1).Arg(6, 0)
                        .Arg(7, inputs[1]).Arg(8, d2).Arg(9, col0)
                        .Arg(10, 1f).Arg(11, gram).Arg(12, w)
                        .Arg(13, meanABuf).Arg(14, meanBBuf);
                    return Track(gemm.Launch(ctx.ComputeQueue, [(long)(w + GemmTile - 1) / GemmTile * GemmItems, (long)(d1 + GemmTile - 1) / GemmTile * GemmItems],
                        [GemmItems, GemmItems], chunk.Uploads.ToArray()));
                }, (_, _) => { }, cancellation);

                if (onGram is not null)
                {
                    var host = new double[(long)d1 * w];
                    ReadAcc(gram, host);
                    onGram(col0, w, host, invA, invB);
                }
                if (onTileMax is not null)
                {
                    using var reduce = Kernel("gemm.cl", "max_abs_correlation", CorrelationGemmOptions);
                    using var output = ctx.Buffer((long)d1 * accBytes, "max |ρ| per row");
                    const int group = 64;
                    reduce.Arg(0, gram).Arg(1, d1).Arg(2, w).Arg(3, w).Arg(4, invABuf).Arg(5, invBBuf)
                        .Arg(6, output).Local(7, group * accBytes);
                    // inv_b is indexed from the tile's first column: pass a shifted copy for later tiles.
                    using var invBTile = col0 == 0 ? null : AccBuffer(invB.AsSpan(col0, w).ToArray(), "1/(√N·sd) b tile");
                    if (invBTile is not null) reduce.Arg(5, invBTile);
                    Track(reduce.Launch(ctx.ComputeQueue, [(long)d1 * group], [group])).Release();
                    var host = new double[d1];
                    ReadAcc(output, host);
                    onTileMax(host);
                }
                return 0;
            });
        }
    }

    private ClBuffer AccBuffer(double[] values, string name) =>
        AccumulatesInDouble ? ctx.Buffer<double>(values, name) : ctx.Buffer<float>(values.Select(v => (float)v).ToArray(), name);

    /// <summary>Blocking read of an acc_t buffer into doubles.</summary>
    private void ReadAcc(ClBuffer buffer, double[] destination)
    {
        if (AccumulatesInDouble) { ctx.Read<double>(buffer, destination); return; }
        var tmp = new float[destination.Length];
        ctx.Read<float>(buffer, tmp);
        for (int i = 0; i < tmp.Length; i++) destination[i] = tmp[i];
    }
}
