using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests;

/// <summary>Textbook float64 implementations, written for clarity and independence from the
/// kernels (two-pass variances, explicit loops, full sorts): the reference the kernels are
/// tested against.</summary>
public static class NaiveReference
{
    public sealed record Moments(long[] Counts, double[] Means, double[] Variances, double[] OverallMean, double[] OverallVariance, float[] Min, float[] Max);

    public static Moments ClassMoments(float[] x, int rows, int cols, int[] labels, int classes)
    {
        var counts = new long[classes];
        var means = new double[classes * cols];
        var vars = new double[classes * cols];
        var om = new double[cols];
        var ov = new double[cols];
        var min = new float[cols];
        var max = new float[cols];
        for (int j = 0; j < cols; j++)
        {
            for (int c = 0; c < classes; c++)
            {
                var values = Enumerable.Range(0, rows).Where(r => labels[r] == c).Select(r => (double)x[r * cols + j]).ToArray();
                counts[c] = values.Length;
                (means[c * cols + j], vars[c * cols + j]) = MeanVar(values);
            }
            var all = Enumerable.Range(0, rows).Select(r => (double)x[r * cols + j]).ToArray();
            (om[j], ov[j]) = MeanVar(all);
            min[j] = rows == 0 ? float.NaN : Enumerable.Range(0, rows).Min(r => x[r * cols + j]);
            max[j] = rows == 0 ? float.NaN : Enumerable.Range(0, rows).Max(r => x[r * cols + j]);
        }
        return new Moments(counts, means, vars, om, ov, min, max);
    }

    /// <summary>Two-pass population mean and variance; NaN for no values.</summary>
    public static (double Mean, double Variance) MeanVar(double[] v)
    {
        if (v.Length == 0) return (double.NaN, double.NaN);
        double mean = v.Sum() / v.Length;
        double ss = v.Sum(e => (e - mean) * (e - mean));
        return (mean, ss / v.Length);
    }

    public static double[] Probeless(double[] means, long[] counts, int classes, int cols)
    {
        var s = new double[cols];
        for (int j = 0; j < cols; j++)
            for (int a = 0; a < classes; a++)
                for (int b = a + 1; b < classes; b++)
                    if (counts[a] > 0 && counts[b] > 0)
                        s[j] += Math.Abs(means[a * cols + j] - means[b * cols + j]);
        return s;
    }

    public static double[] ProbelessPerClass(double[] means, long[] counts, int classes, int cols)
    {
        var s = new double[classes * cols];
        for (int a = 0; a < classes; a++)
            for (int j = 0; j < cols; j++)
            {
                if (counts[a] == 0) { s[a * cols + j] = double.NaN; continue; }
                for (int b = 0; b < classes; b++)
                    if (b != a && counts[b] > 0) s[a * cols + j] += Math.Abs(means[a * cols + j] - means[b * cols + j]);
            }
        return s;
    }

    /// <summary>[d1, d2] Pearson correlation; a constant column correlates 0.</summary>
    public static double[] Correlation(float[] a, int rows, int d1, float[] b, int d2)
    {
        var za = Standardize(a, rows, d1);
        var zb = Standardize(b, rows, d2);
        var r = new double[d1 * d2];
        for (int i = 0; i < d1; i++)
            for (int j = 0; j < d2; j++)
            {
                double s = 0;
                for (int t = 0; t < rows; t++) s += za[t * d1 + i] * zb[t * d2 + j];
                r[i * d2 + j] = s;
            }
        return r;
    }

    private static double[] Standardize(float[] x, int rows, int cols)
    {
        var z = new double[rows * cols];
        for (int j = 0; j < cols; j++)
        {
            double mean = 0;
            for (int t = 0; t < rows; t++) mean += x[t * cols + j];
            mean /= rows;
            double ss = 0;
            for (int t = 0; t < rows; t++) ss += (x[t * cols + j] - mean) * (x[t * cols + j] - mean);
            double scale = ss > 0 ? 1 / Math.Sqrt(ss) : 0;
            for (int t = 0; t < rows; t++) z[t * cols + j] = (x[t * cols + j] - mean) * scale;
        }
        return z;
    }

    public static void ApplyEdit(float[] x, int rows, int cols, bool[] mask, NeuronEdit edit)
    {
        for (int r = 0; r < rows; r++)
        {
            if (mask.Length > 0 && !mask[r]) continue;
            for (int i = 0; i < edit.Neurons.Length; i++)
            {
                ref float h = ref x[r * cols + edit.Neurons[i]];
                float v = edit.ValueFor(i);
                h = edit.Op switch
                {
                    EditOp.Zero => 0f,
                    EditOp.Set => v,
                    EditOp.Add => h + v,
                    EditOp.Scale => h * v,
                    EditOp.ShiftBySign => h + v * (h > 0 ? 1f : -1f),
                    _ => throw new ArgumentException("op"),
                };
            }
        }
    }

    /// <summary>Full stable sort: value descending, NaN last, ties by lower index.</summary>
    public static int[] TopK(double[] scores, int k) =>
        Enumerable.Range(0, scores.Length)
            .OrderBy(i => double.IsNaN(scores[i]) ? 1 : 0)
            .ThenByDescending(i => double.IsNaN(scores[i]) ? 0 : scores[i])
            .ThenBy(i => i)
            .Take(k).ToArray();

    public static (long[] Rows, float[] Values) TopActivatingRows(float[] x, int rows, int cols, int k)
    {
        var outRows = new long[cols * k];
        var outValues = new float[cols * k];
        for (int j = 0; j < cols; j++)
        {
            var order = Enumerable.Range(0, rows).OrderByDescending(r => x[r * cols + j]).ThenBy(r => r).ToArray();
            for (int i = 0; i < k; i++)
            {
                outRows[j * k + i] = i < order.Length ? order[i] : -1;
                outValues[j * k + i] = i < order.Length ? x[order[i] * cols + j] : float.NaN;
            }
        }
        return (outRows, outValues);
    }

    /// <summary>Bin of x: floor((x − min)·(bins/(max − min))) in float64, the top edge in the last
    /// bin, a constant column all in bin 0 (the documented contract).</summary>
    public static long[] Histograms(float[] x, int rows, int cols, int bins, out float[] min, out float[] max)
    {
        min = new float[cols];
        max = new float[cols];
        var counts = new long[cols * bins];
        for (int j = 0; j < cols; j++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int r = 0; r < rows; r++) { lo = Math.Min(lo, x[r * cols + j]); hi = Math.Max(hi, x[r * cols + j]); }
            min[j] = lo; max[j] = hi;
            double scale = hi > lo ? bins / ((double)hi - lo) : 0;
            for (int r = 0; r < rows; r++)
            {
                int b = (int)Math.Floor((x[r * cols + j] - (double)lo) * scale);
                counts[j * bins + Math.Min(b, bins - 1)]++;
            }
        }
        return counts;
    }

    /// <summary>Row-major C ← α·op(A)·op(B) + β·C in float64.</summary>
    public static double[] Gemm(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                result[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * (double)c[i * ldc + j]);
            }
        return result;
    }
}
