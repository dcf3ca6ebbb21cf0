using System.Numerics.Tensors;

namespace NeuronHost.Plugins.Linear;

/// <summary>The data and penalty of one training problem: raw activations x [rows, features]
/// (row-major, never modified), the column means and 1/std that standardise them, labels and
/// options. Gives logits, the smooth part (mean cross-entropy, optionally + L2Squared‖W‖²), its
/// gradient, the penalty and its prox — all in standardised space, computed with
/// <see cref="SoftmaxPassKernels"/> on the raw rows. Logit and residual buffers are
/// [rows, classes]. Rows are summed in segments of <see cref="SegmentRows"/> (a fixed grid of row
/// indices): each segment in float, as the kernels do, and the segments' sums then exactly
/// (<see cref="FixedPointSum"/>). So the loss and gradient have the same bits however many cores
/// share the segments, and rows [a, b) held elsewhere (a cluster's shard, a and b on the grid)
/// give partial sums (<see cref="SumPass"/>) that merge into exactly the whole pass's.</summary>
internal sealed class SoftmaxObjective
{
    /// <summary>A full pass's exact sums at (w, b) from the holders of the rows (see <see cref="OverHolders"/>).</summary>
    public delegate PassSums FullPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b);
    /// <summary>A mini-batch's exact sums and labelled rows from the holder of rows [first, first + count).</summary>
    public delegate (PassSums Sums, int Labelled) BatchPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int count);
    private FullPass? _holders;
    private BatchPass? _holderBatches;
    private int _holderRows;

    /// <summary>The problem of a coordinator that holds none of the rows: each full pass
    /// (<see cref="ValueAndGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>,
    /// all OWL-QN asks for) is the merge of the holders' <see cref="SumPass"/>es, which
    /// <paramref name="pass"/> gathers; the gradient, penalty and solver steps are computed here.
    /// Adam's mini-batches come from <paramref name="batch"/> (none: refused). Passes over rows here (logits, FISTA's)
    /// are refused.</summary>
    /// <param name="valid">Labelled rows of all holders together.</param>
    public static SoftmaxObjective OverHolders(int features, int classes, int valid, int totalRows,
        float[] mean, float[] invStd, ElasticNetOptions options, FullPass pass, BatchPass? batch = null)
        => new([], 0, features, classes, [], valid, mean, invStd, options, 1, totalRows)
        { _holders = pass, _holderBatches = batch, _holderRows = totalRows };

    /// <summary>Rows per segment of the summation grid for a problem of <paramref name="totalRows"/>
    /// rows (all of them, wherever they are held): the largest of 2,048, 1,024 and 512 that still
    /// cuts the rows into 6 segments or more. Larger segments fold into the exact sums less often;
    /// enough of them share out evenly among threads (10,000 rows are 5 segments of 2,048: 3 for one
    /// thread, 2 for the other). Training time against the float sums this replaced, medians of
    /// 4–6 interleaved runs on 2 cores: 10,000 rows × 512 neurons × 17 classes +4.5 %, 16,128 ×
    /// 1,024 × 14 +4 %, 100,000 × 3,072 × 17 +4 % and +9 % in two sets (with 1,024-row segments
    /// there: +11 %).</summary>
    public static int SegmentRowsFor(long totalRows) => totalRows >= 6 * 2048 ? 2048 : totalRows >= 6 * 1024 ? 1024 : 512;

    /// <summary>Rows per segment of this problem's grid.</summary>
    public int SegmentRows { get; }
    private readonly float[] _x, _mean, _invStd;
    private readonly int[] _y;
    private readonly int _rows, _features, _classes, _valid, _blockRows, _partitions;
    private readonly float[] _wT;
    private readonly float[][] _block, _scratch;
    private readonly PartitionSums[] _sums;

    /// <param name="valid">Labelled rows of the whole problem (the mean's N), which may exceed
    /// those of x when x is one shard of it.</param>
    /// <param name="partitions">Threads that share the segments (0: one per core). Changes the
    /// speed only, never a bit of the result.</param>
    /// <param name="totalRows">Rows of the whole problem when x holds only some of them (a shard):
    /// it sets the segment grid (<see cref="SegmentRowsFor"/>), which every holder must share.</param>
    public SoftmaxObjective(float[] x, int rows, int features, int classes, int[] y, int valid,
        float[] mean, float[] invStd, ElasticNetOptions options, int partitions = 0, long totalRows = 0)
    {
        SegmentRows = SegmentRowsFor(totalRows > 0 ? totalRows : rows);
        _x = x; _rows = rows; _features = features; _classes = classes; _y = y; _valid = valid;
        _mean = mean; _invStd = invStd; Options = options;
        _blockRows = Math.Clamp(BlockBytes / (4 * Math.Max(features, 1)) / 4 * 4, 16, 1024);
        int segments = (rows + SegmentRows - 1) / SegmentRows;
        _partitions = Math.Max(1, Math.Min(partitions > 0 ? partitions : Environment.ProcessorCount, segments));
        _wT = new float[_classes * features];
        _block = new float[_partitions][];
        _scratch = new float[_partitions][];
        _sums = new PartitionSums[_partitions];
        for (int p = 0; p < _partitions; p++)
        {
            _block[p] = new float[_blockRows * _classes];
            _scratch[p] = new float[_blockRows * _classes];
            _sums[p] = new PartitionSums(_classes, features);
        }
    }

    /// <summary>Rows of the problem (all holders' when they hold them).</summary>
    public int Rows => _holders is null ? _rows : _holderRows;
    public int Features => _features;
    public int Classes => _classes;
    public ElasticNetOptions Options { get; }
    /// <summary>Multiply-adds of one X·W (or Xᵀ·R) product, for FLOP/s figures.</summary>
    public double GemmFlops => 2.0 * _rows * _features * _classes;
    /// <summary>X·W and Xᵀ·R products done so far.</summary>
    public int GemmCount { get; private set; }
    /// <summary>Floating-point operations of all products so far, mini-batches included.</summary>
    public double TotalFlops => GemmFlops * GemmCount + 4.0 * _batchRows * _features * _classes;
    private long _batchRows;

    // 256 KB of X per block: the block stays in the core's L2 between the forward and the
    // backward product (measured best of 64–1,024 KB on the 1 MB-L2 machines here)
    private const int BlockBytes = 256 << 10;

    /// <summary>z [rows, classes] = standardised X · W + b.</summary>
    public void Logits(ReadOnlySpan<float> w, ReadOnlySpan<float> b, float[] z)
    {
        FoldWeights(w, _invStd, _classes, _wT);
        var bias = b.ToArray();
        ForEachBlock(0, _rows, Sums.None, (p, lo, m) =>
        {
            var zb = z.AsSpan(lo * _classes, m * _classes);
            SoftmaxPassKernels.Logits(BlockOf(lo, m), m, _features, _mean, _wT, _classes, zb);
            for (int i = 0; i < m; i++) TensorPrimitives.Add(zb.Slice(i * _classes, _classes), bias, zb.Slice(i * _classes, _classes));
        });
        GemmCount++;
    }

    /// <summary>Mean cross-entropy (+ squared L2); when resid is given, fills (P − Y)/N
    /// (unlabelled rows 0).</summary>
    public double SmoothValue(float[] z, ReadOnlySpan<float> w, float[]? resid)
    {
        ForEachBlock(0, _rows, Sums.Loss, (p, lo, m) =>
        {
            _sums[p].Loss += Softmax(p, z.AsSpan(lo * _classes, m * _classes), lo, m,
                resid is null ? Span<float>.Empty : resid.AsSpan(lo * _classes, m * _classes), null, null);
        });
        return FixedPointSum.ToDouble(TakeSums(Sums.Loss).Loss) / Math.Max(_valid, 1) + L2SquaredValue(w);
    }

    /// <summary>Gradient of the smooth part from the residual: gw = X̃ᵀ·R (+ 2·L2Squared·W), gb = Σ rows of R.</summary>
    public void Gradient(float[] resid, ReadOnlySpan<float> w, Span<float> gw, Span<float> gb)
    {
        ForEachBlock(0, _rows, Sums.Gradient, (p, lo, m) =>
        {
            var rb = resid.AsSpan(lo * _classes, m * _classes);
            var sums = _sums[p];
            SoftmaxPassKernels.AccumulateGradient(BlockOf(lo, m), m, _features, _mean, rb, _classes, sums.GradientT);
            for (int i = 0; i < m; i++)
                for (int c = 0; c < _classes; c++) sums.Bias[c] += rb[i * _classes + c];
        });
        GemmCount++;
        GatherGradient(TakeSums(Sums.Gradient, reuse: true), w, gw, gb);
    }

    /// <summary>Mean cross-entropy (+ squared L2) at (w, b) and its gradient in one fused pass over X.</summary>
    public double ValueAndGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> gw, Span<float> gb)
    {
        if (_holders is not null) return ValueAndGradient(_holders(w, b), w, gw, gb);
        FusedPass(w, b, 0, _rows);
        GemmCount += 2;
        return ValueAndGradient(TakeSums(Sums.Loss | Sums.Gradient, reuse: true), w, gw, gb);
    }

    /// <summary>The exact sums (cross-entropy, X̃ᵀ·R, column sums of R) of one fused pass at (w, b)
    /// over the rows [first, end): what the holder of those rows contributes to a pass over all of
    /// them. first and end on the segment grid (or the ends of the rows) make the merged partial
    /// sums equal the whole pass's bit for bit.</summary>
    public PassSums SumPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int end)
    {
        FusedPass(w, b, first, end);
        GemmCount += 2;
        return TakeSums(Sums.Loss | Sums.Gradient);
    }

    /// <summary>The exact sums of a mini-batch, rows [first, first + count) (cut at the last row),
    /// and how many of them are labelled.</summary>
    public (PassSums Sums, int Labelled) SumBatch(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int count, bool reuse = false)
    {
        int end = Math.Min(_rows, first + count);
        FusedPass(w, b, first, end);
        _batchRows += end - first;
        int labelled = 0;
        for (int i = first; i < end; i++) if (_y[i] >= 0) labelled++;
        return (TakeSums(Sums.Loss | Sums.Gradient, reuse), labelled);
    }

    /// <summary>Mean cross-entropy (+ squared L2) and its gradient from a pass's (merged) sums.</summary>
    public double ValueAndGradient(PassSums sums, ReadOnlySpan<float> w, Span<float> gw, Span<float> gb)
    {
        GatherGradient(sums, w, gw, gb);
        return FixedPointSum.ToDouble(sums.Loss) / Math.Max(_valid, 1) + L2SquaredValue(w);
    }

    /// <summary>The smooth part (mean cross-entropy + L2Squared‖W‖²) and its gradient over the rows
    /// [first, first + count) only: a mini-batch. Returns the batch's mean cross-entropy.</summary>
    public double BatchValueAndGradient(ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> gw, Span<float> gb, int first, int count)
    {
        var (sums, labelled) = _holderBatches is not null ? _holderBatches(w, b, first, count) : SumBatch(w, b, first, count, reuse: true);
        double loss = FixedPointSum.ToDouble(sums.Loss) / Math.Max(labelled, 1);
        GatherGradient(sums, w, gw, gb, withL2Squared: false);
        // the residuals were scaled by 1/N (all rows); rescale to the batch mean
        float scale = (float)Math.Max(_valid, 1) / Math.Max(labelled, 1);
        TensorPrimitives.Multiply(gw, scale, gw);
        TensorPrimitives.Multiply(gb, scale, gb);
        if (Options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * Options.L2Squared), gw, gw);
        return loss;
    }

    /// <summary>Rows [first, end), block by block: logits, softmax, residual R = (P − Y)/N, and
    /// X̃ᵀ·R accumulated while the block is still in cache — X is read from memory once instead of
    /// twice. Leaves the loss, gradient and bias sums in the partitions' exact sums.</summary>
    private void FusedPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int end)
    {
        FoldWeights(w, _invStd, _classes, _wT);
        var bias = b.ToArray();
        ForEachBlock(first, end, Sums.Loss | Sums.Gradient, (p, lo, m) =>
        {
            var zb = _block[p].AsSpan(0, m * _classes);
            var xb = BlockOf(lo, m);
            var sums = _sums[p];
            SoftmaxPassKernels.Logits(xb, m, _features, _mean, _wT, _classes, zb);
            sums.Loss += Softmax(p, zb, lo, m, zb, bias, sums.Bias);
            SoftmaxPassKernels.AccumulateGradient(xb, m, _features, _mean, zb, _classes, sums.GradientT);
        });
    }

    /// <summary>Softmax cross-entropy of the block's logit rows (bias added to z first when
    /// given); writes the residual (P − Y)/N into resid (may alias z) and, when biasSums is given,
    /// adds its column sums there. Returns the summed loss. The exponentials of the whole block are
    /// taken in one call: per-row calls on ~20 values cost more than the arithmetic.</summary>
    private double Softmax(int p, Span<float> z, int lo, int m, Span<float> resid, float[]? bias, double[]? biasSums)
    {
        int k = _classes;
        bool withResid = !resid.IsEmpty;
        var e = withResid ? resid[..(m * k)] : _scratch[p].AsSpan(0, m * k);
        Span<float> shifted = stackalloc float[m];   // z[label] − row max, per row
        for (int i = 0; i < m; i++)
        {
            var zi = z.Slice(i * k, k);
            var ei = e.Slice(i * k, k);
            if (bias is not null) for (int c = 0; c < k; c++) zi[c] += bias[c];
            float max = zi[0];
            for (int c = 1; c < k; c++) max = MathF.Max(max, zi[c]);
            int label = _y[lo + i];
            shifted[i] = label < 0 ? 0 : zi[label] - max;
            for (int c = 0; c < k; c++) ei[c] = zi[c] - max;   // after reading zi: e may alias z
        }
        TensorPrimitives.Exp(e, e);
        float invN = 1f / Math.Max(_valid, 1);
        double loss = 0;
        for (int i = 0; i < m; i++)
        {
            var ei = e.Slice(i * k, k);
            int label = _y[lo + i];
            if (label < 0) { if (withResid) ei.Clear(); continue; }
            float sum = 0;
            for (int c = 0; c < k; c++) sum += ei[c];
            loss += Math.Log(sum) - shifted[i];
            if (!withResid) continue;
            float scale = invN / sum;
            for (int c = 0; c < k; c++)
            {
                float r = ei[c] * scale - (c == label ? invN : 0f);
                // flush subnormal residuals (confidently wrong classes): they contribute nothing
                if (MathF.Abs(r) < 1e-30f) r = 0;
                ei[c] = r;
                if (biasSums is not null) biasSums[c] += r;
            }
        }
        return loss;
    }

    /// <summary>wT[c, j] = W[j, c] / std_j: the standardised model as weights for centred raw rows.</summary>
    public static void FoldWeights(ReadOnlySpan<float> w, ReadOnlySpan<float> invStd, int classes, Span<float> wT)
    {
        int features = invStd.Length;
        for (int j = 0; j < features; j++)
        {
            float s = invStd[j];
            for (int c = 0; c < classes; c++) wT[c * features + j] = w[j * classes + c] * s;
        }
    }

    private double L2SquaredValue(ReadOnlySpan<float> w) =>
        Options.L2Squared > 0 ? Options.L2Squared * TensorPrimitives.SumOfSquares(w) : 0;

    /// <summary>The partitions' exact sums of the last pass, merged (order does not matter); resets
    /// them. With <paramref name="reuse"/> the result is this objective's own buffer, valid until the
    /// next pass (a fresh one per pass was a large-object allocation, 229 KB at 1,024 × 14).</summary>
    private PassSums TakeSums(Sums which, bool reuse = false)
    {
        bool gradient = which.HasFlag(Sums.Gradient);
        PassSums total;
        if (reuse && gradient)
        {
            total = _reusable ??= new PassSums(new Int128[_classes * _features], new Int128[_classes]);
            Array.Clear(total.GradientT); Array.Clear(total.Bias); total.Loss = 0;
        }
        else total = new PassSums(gradient ? new Int128[_classes * _features] : [], gradient ? new Int128[_classes] : []);
        foreach (var sums in _sums)
        {
            if (which.HasFlag(Sums.Loss)) total.Loss += sums.ExactLoss;
            if (gradient)
            {
                FixedPointSum.Merge(total.GradientT, sums.ExactGradientT);
                FixedPointSum.Merge(total.Bias, sums.ExactBias);
            }
            sums.Reset();
        }
        return total;
    }
    private PassSums? _reusable;

    /// <summary>gw[j, c] = (1/std_j)·ΣX̃ᵀR[c, j] (+ 2·L2Squared·W), gb = Σ rows of R, from exact sums.</summary>
    private void GatherGradient(PassSums sums, ReadOnlySpan<float> w, Span<float> gw, Span<float> gb, bool withL2Squared = true)
    {
        if (sums.GradientT.Length != _classes * _features || sums.Bias.Length != _classes)
            throw new ArgumentException($"sums of {sums.Bias.Length} classes × {sums.GradientT.Length / Math.Max(sums.Bias.Length, 1)} features for a {_classes} × {_features} problem");
        for (int c = 0; c < _classes; c++) gb[c] = (float)FixedPointSum.ToDouble(sums.Bias[c]);
        for (int j = 0; j < _features; j++)
        {
            float s = _invStd[j];
            for (int c = 0; c < _classes; c++)
                gw[j * _classes + c] = (float)FixedPointSum.ToDouble(sums.GradientT[c * _features + j]) * s;
        }
        if (withL2Squared && Options.L2Squared > 0) TensorPrimitives.MultiplyAdd(w, (float)(2 * Options.L2Squared), gw, gw);
    }

    public double Penalty(ReadOnlySpan<float> w)
    {
        double l1 = Options.L1 > 0 ? Options.L1 * TensorPrimitives.SumOfMagnitudes(w) : 0;
        double l2 = Options.L2 > 0 ? Options.L2 * Norm(w) : 0;
        return l1 + l2;
    }

    /// <summary>prox of step·(λ1‖·‖₁ + λ2‖·‖_F): soft-threshold, then shrink the whole matrix.</summary>
    public void Prox(Span<float> w, float step)
    {
        float t1 = (float)(step * Options.L1);
        if (t1 > 0)
            for (int k = 0; k < w.Length; k++)
            {
                float v = w[k];
                w[k] = v > t1 ? v - t1 : v < -t1 ? v + t1 : 0f;
            }
        if (Options.L2 > 0)
        {
            double norm = Norm(w);
            double scale = norm <= step * Options.L2 ? 0 : 1 - step * Options.L2 / norm;
            TensorPrimitives.Multiply(w, (float)scale, w);
        }
    }

    /// <summary>Largest eigenvalue of X̃ᵀX̃/N (X̃ standardised) by power iteration, with the
    /// same kernels as a one-class problem.</summary>
    public double PowerIterationMaxEigen(int iterations)
    {
        var v = new float[_features];
        var vT = new float[_features];
        var xv = new float[_rows];
        var total = new Int128[_features];
        var rng = new Random(7);
        for (int j = 0; j < _features; j++) v[j] = (float)(rng.NextDouble() + 0.5);
        double lambda = 1;
        for (int it = 0; it < iterations; it++)
        {
            float norm = TensorPrimitives.Norm(v);
            if (norm == 0) return 1;
            for (int j = 0; j < _features; j++) vT[j] = v[j] / norm * _invStd[j];
            ForEachBlock(0, _rows, Sums.Vector, (p, lo, m) =>
            {
                var xb = BlockOf(lo, m);
                var zb = xv.AsSpan(lo, m);
                SoftmaxPassKernels.Logits(xb, m, _features, _mean, vT, 1, zb);
                SoftmaxPassKernels.AccumulateGradient(xb, m, _features, _mean, zb, 1, _sums[p].GradientT.AsSpan(0, _features));
            });
            Array.Clear(total);
            foreach (var sums in _sums) { FixedPointSum.Merge(total, sums.ExactGradientT.AsSpan(0, _features)); sums.Reset(); }
            for (int j = 0; j < _features; j++)
                v[j] = (float)FixedPointSum.ToDouble(total[j]) * _invStd[j] / Math.Max(_rows, 1);
            lambda = TensorPrimitives.Norm(v);
        }
        return lambda * 1.05;
    }

    /// <summary>Euclidean norm accumulated in double (the weights' norm enters the objective).</summary>
    public static double Norm(ReadOnlySpan<float> w) => Math.Sqrt(Dot(w, w));

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= a.Length; k += 4)
        {
            s0 += (double)a[k] * b[k]; s1 += (double)a[k + 1] * b[k + 1];
            s2 += (double)a[k + 2] * b[k + 2]; s3 += (double)a[k + 3] * b[k + 3];
        }
        for (; k < a.Length; k++) s0 += (double)a[k] * b[k];
        return (s0 + s1) + (s2 + s3);
    }

    private ReadOnlySpan<float> BlockOf(int lo, int m) => _x.AsSpan(lo * _features, m * _features);

    /// <summary>Runs body(partition, firstRow, rowCount) for every block of the rows [first, end).
    /// The rows are cut at the segment grid; each partition takes the next piece not yet taken (the
    /// sums are exact, so which thread summed a piece does not matter), and after each piece the
    /// sums named by <paramref name="fold"/> move from its float/double accumulators into its exact ones.</summary>
    private void ForEachBlock(int first, int end, Sums fold, Action<int, int, int> body)
    {
        if (_holders is not null) throw new InvalidOperationException("the rows of this problem are held elsewhere: only full passes (ValueAndGradient) can be asked of it");
        if (end <= first) return;
        int firstSegment = first / SegmentRows, pieces = (end - 1) / SegmentRows + 1 - firstSegment;
        int next = -1;
        Parallel.For(0, Math.Min(_partitions, pieces), p =>
        {
            for (int k; (k = Interlocked.Increment(ref next)) < pieces;)
            {
                int lo = Math.Max(first, (firstSegment + k) * SegmentRows), hi = Math.Min(end, (firstSegment + k + 1) * SegmentRows);
                for (int row = lo; row < hi; row += _blockRows) body(p, row, Math.Min(_blockRows, hi - row));
                _sums[p].Fold(fold, _features);
            }
        });
    }

    /// <summary>Which sums a pass accumulates.</summary>
    [Flags]
    private enum Sums { None = 0, Loss = 1, Gradient = 2, Vector = 4 }

    /// <summary>One partition's accumulators: the current piece's partial sums (float, as the kernels
    /// produce them; double for the loss and bias) and the exact sums they are folded into.</summary>
    private sealed class PartitionSums(int classes, int features)
    {
        public readonly float[] GradientT = new float[classes * features];
        public readonly double[] Bias = new double[classes];
        public double Loss;
        public readonly Int128[] ExactGradientT = new Int128[classes * features];
        public readonly Int128[] ExactBias = new Int128[classes];
        public Int128 ExactLoss;

        public void Fold(Sums which, int features)
        {
            if (which.HasFlag(Sums.Loss)) { ExactLoss += FixedPointSum.From(Loss); Loss = 0; }
            if (which.HasFlag(Sums.Gradient))
            {
                FixedPointSum.Add(ExactGradientT, GradientT); Array.Clear(GradientT);
                FixedPointSum.Add(ExactBias, Bias); Array.Clear(Bias);
            }
            if (which.HasFlag(Sums.Vector))
            {
                FixedPointSum.Add(ExactGradientT.AsSpan(0, features), GradientT.AsSpan(0, features));
                Array.Clear(GradientT, 0, features);
            }
        }

        public void Reset()
        {
            Array.Clear(ExactGradientT); Array.Clear(ExactBias); ExactLoss = 0;
        }
    }
}

/// <summary>The exact sums of one pass over some rows (see <see cref="SoftmaxObjective.SumPass"/>):
/// summed cross-entropy, X̃ᵀ·R [classes, features] and the column sums of R, as multiples of
/// 2^−64. Partial sums from disjoint rows merge exactly, in any order.</summary>
internal sealed class PassSums(Int128[] gradientT, Int128[] bias)
{
    public Int128 Loss { get; set; }
    public Int128[] GradientT { get; } = gradientT;
    public Int128[] Bias { get; } = bias;

    public void Merge(PassSums other)
    {
        Loss += other.Loss;
        FixedPointSum.Merge(GradientT, other.GradientT);
        FixedPointSum.Merge(Bias, other.Bias);
    }
}
