using NeuronHost.Kernels.Blas;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

/// <summary>A naive, obviously-correct IComputeKernels for these tests (the real CPU kernels are
/// tested in their own project): double loops everywhere, SGEMM from NeuronHost.Kernels.</summary>
public sealed class ReferenceKernels : IComputeKernels
{
    public string Backend => "test-reference";

    public ClassMoments ClassMoments(IActivationMatrix x, ReadOnlyMemory<int> labels, int classCount, CancellationToken cancellation = default)
    {
        int d = x.Columns; var all = x.ToArray(); var y = labels.Span; long n = x.Rows;
        var counts = new long[classCount]; var sum = new double[classCount * d]; var sq = new double[classCount * d];
        var osum = new double[d]; var osq = new double[d];
        var min = Enumerable.Repeat(float.PositiveInfinity, d).ToArray(); var max = Enumerable.Repeat(float.NegativeInfinity, d).ToArray();
        for (long i = 0; i < n; i++)
        {
            int c = y[(int)i];
            if (c != -1 && (uint)c >= (uint)classCount) throw new ArgumentException($"label {c} at row {i}");
            if (c >= 0) counts[c]++;
            for (int j = 0; j < d; j++)
            {
                float v = all[i * d + j];
                if (!float.IsFinite(v)) throw new NonFiniteActivationException(i, j, v);
                osum[j] += v; osq[j] += (double)v * v; min[j] = Math.Min(min[j], v); max[j] = Math.Max(max[j], v);
                if (c >= 0) { sum[c * d + j] += v; sq[c * d + j] += (double)v * v; }
            }
        }
        var means = new double[classCount * d]; var vars = new double[classCount * d];
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < d; j++)
            {
                double m = counts[c] == 0 ? double.NaN : sum[c * d + j] / counts[c];
                means[c * d + j] = m; vars[c * d + j] = counts[c] == 0 ? double.NaN : sq[c * d + j] / counts[c] - m * m;
            }
        var om = osum.Select(s => s / n).ToArray();
        var ov = osq.Select((s, j) => s / n - om[j] * om[j]).ToArray();
        return new ClassMoments(classCount, d, counts, means, vars, om, ov, min, max);
    }

    public double[] ProbelessScores(ClassMoments m)
    {
        var s = new double[m.Neurons];
        for (int a = 0; a < m.ClassCount; a++)
            for (int b = a + 1; b < m.ClassCount; b++)
            {
                if (m.Counts[a] == 0 || m.Counts[b] == 0) continue;
                for (int j = 0; j < m.Neurons; j++) s[j] += Math.Abs(m.Means[a * m.Neurons + j] - m.Means[b * m.Neurons + j]);
            }
        return s;
    }

    public double[] ProbelessPerClassScores(ClassMoments m)
    {
        var s = new double[m.ClassCount * m.Neurons];
        for (int a = 0; a < m.ClassCount; a++)
            for (int b = 0; b < m.ClassCount; b++)
            {
                if (a == b || m.Counts[a] == 0 || m.Counts[b] == 0) continue;
                for (int j = 0; j < m.Neurons; j++) s[a * m.Neurons + j] += Math.Abs(m.Means[a * m.Neurons + j] - m.Means[b * m.Neurons + j]);
            }
        return s;
    }

    public float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        var xa = a.ToArray(); var xb = b.ToArray(); int n = (int)a.Rows, da = a.Columns, db = b.Columns;
        var r = new float[da * db];
        for (int i = 0; i < da; i++)
            for (int j = 0; j < db; j++)
            {
                double ma = 0, mb = 0;
                for (int t = 0; t < n; t++) { ma += xa[t * da + i]; mb += xb[t * db + j]; }
                ma /= n; mb /= n;
                double sab = 0, saa = 0, sbb = 0;
                for (int t = 0; t < n; t++)
                {
                    double u = xa[t * da + i] - ma, v = xb[t * db + j] - mb;
                    sab += u * v; saa += u * u; sbb += v * v;
                }
                r[i * db + j] = saa == 0 || sbb == 0 ? 0f : (float)(sab / Math.Sqrt(saa * sbb));
            }
        return r;
    }

    public double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default)
    {
        var r = Correlation(a, b, cancellation); int db = b.Columns;
        return Enumerable.Range(0, a.Columns).Select(i => (double)r.Skip(i * db).Take(db).Select(Math.Abs).Max()).ToArray();
    }

    public void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit) =>
        throw new NotSupportedException();

    public int[] TopK(ReadOnlySpan<double> scores, int k)
    {
        var s = scores.ToArray();
        return Enumerable.Range(0, s.Length).OrderByDescending(i => double.IsNaN(s[i]) ? double.NegativeInfinity : s[i]).ThenBy(i => i).Take(k).ToArray();
    }

    public TopActivations TopActivatingRows(IActivationMatrix x, int k, CancellationToken cancellation = default) => throw new NotSupportedException();
    public NeuronHistograms Histograms(IActivationMatrix x, int bins, CancellationToken cancellation = default) => throw new NotSupportedException();

    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Gemm.Sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
