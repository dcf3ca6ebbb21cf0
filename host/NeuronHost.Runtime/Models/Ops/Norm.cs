using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>LayerNorm (γ·(x−μ)/σ + β) or RMSNorm (γ·x/rms(x)) over the last axis.</summary>
public sealed class Norm(Weight gamma, Weight? beta, float eps, bool rms)
{
    public Weight Gamma { get; } = gamma;
    public Weight? Beta { get; } = beta;
    public float Eps { get; } = eps;
    public bool Rms { get; } = rms;

    /// <summary>y ← norm(x) row by row, rows in parallel (x and y may be the same buffer). When
    /// caches are given, stores x̂ = (x−μ)·r (or x·r) and r = 1/σ per row for the backward pass.</summary>
    public void Forward(float[] x, float[] y, int rows, int width, float[]? xhatCache = null, float[]? rstdCache = null)
    {
        if (rows < 64) { ForwardRows(x, y, 0, rows, width, xhatCache, rstdCache); return; }
        const int block = 32;
        Parallel.For(0, (rows + block - 1) / block, b =>
            ForwardRows(x, y, b * block, Math.Min(rows, (b + 1) * block), width, xhatCache, rstdCache));
    }

    private void ForwardRows(float[] x, float[] y, int from, int to, int width, float[]? xhatCache, float[]? rstdCache)
    {
        var g = Gamma.Span;
        var b = Beta is null ? ReadOnlySpan<float>.Empty : Beta.Span;
        for (int r = from; r < to; r++)
        {
            var xr = x.AsSpan(r * width, width);
            var yr = y.AsSpan(r * width, width);
            double mean = Rms ? 0 : Sum(xr) / width;
            float rstd = (float)(1.0 / Math.Sqrt(SumOfSquaredDeviations(xr, mean) / width + Eps));
            Normalize(xr, yr, mean, rstd);
            if (xhatCache is not null) yr.CopyTo(xhatCache.AsSpan(r * width, width));
            if (rstdCache is not null) rstdCache[r] = rstd;
            TensorPrimitives.Multiply(yr, g, yr);
            if (!b.IsEmpty) TensorPrimitives.Add(yr, b, yr);
        }
    }

    // The statistics and the normalisation stay in float64, as in the scalar loops they replace
    // (x − μ cancels when the mean is large against the spread); widened 4 lanes at a time, in
    // two accumulators: the scalar loops were one dependent add per value, 5 ns a value, and the
    // norms cost GPT-2 small's forward as much as its attention output projection.

    private static double Sum(ReadOnlySpan<float> x)
    {
        var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero;
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            a0 += lo; a1 += hi;
        }
        double s = Vector256.Sum(a0 + a1);
        for (; i < x.Length; i++) s += x[i];
        return s;
    }

    private static double SumOfSquaredDeviations(ReadOnlySpan<float> x, double mean)
    {
        var m = Vector256.Create(mean);
        var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero;
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            lo -= m; hi -= m;
            a0 += lo * lo; a1 += hi * hi;
        }
        double s = Vector256.Sum(a0 + a1);
        for (; i < x.Length; i++) { double d = x[i] - mean; s += d * d; }
        return s;
    }

    /// <summary>y ← (float)((x − mean)·rstd), each value as the scalar formula computes it.</summary>
    private static void Normalize(ReadOnlySpan<float> x, Span<float> y, double mean, float rstd)
    {
        var m = Vector256.Create(mean);
        var r = Vector256.Create((double)rstd);
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            Vector256.Narrow((lo - m) * r, (hi - m) * r).CopyTo(y.Slice(i, 8));
        }
        for (; i < x.Length; i++) y[i] = (float)((x[i] - mean) * rstd);
    }

    /// <summary>dx ← (accumulate ? dx : 0) + ∂/∂x given dy and the cached x̂, r.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, ReadOnlySpan<float> rstd, Span<float> dx, int rows, int width, bool accumulate)
    {
        var g = Gamma.Span;
        var dxhat = new float[width];
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * width, width);
            var xr = xhat.Slice(r * width, width);
            var dxr = dx.Slice(r * width, width);
            TensorPrimitives.Multiply(dyr, g, dxhat);
            double meanD = 0, meanDX = 0;
            for (int i = 0; i < width; i++) { meanD += dxhat[i]; meanDX += dxhat[i] * (double)xr[i]; }
            meanD /= width; meanDX /= width;
            if (Rms) meanD = 0;
            for (int i = 0; i < width; i++)
            {
                float v = (float)(rstd[r] * (dxhat[i] - meanD - xr[i] * meanDX));
                dxr[i] = accumulate ? dxr[i] + v : v;
            }
        }
    }
}
