using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests.OpenCl;

/// <summary>The first OpenCL device (pocl here), or the reason there is none. Tests that need it
/// skip with that reason, except under NEURONHOST_REQUIRE_SHARED=1 (CI), where they run and fail.</summary>
public static class OpenClDevice
{
    private static readonly Lazy<(ClApi? Api, ClDevice? Device, string? Reason)> probe = new(() =>
    {
        var api = ClApi.TryLoad(null, out var error);
        if (api is null) return (null, null, error + "; install ocl-icd-libopencl1 and pocl-opencl-icd");
        try
        {
            var devices = ClDiscovery.Devices(api);
            return devices.Count == 0
                ? (api, null, $"OpenCL runtime {api.Library} has no platform/device; install pocl-opencl-icd")
                : (api, devices[0], null);
        }
        catch (OpenClException e) { return (api, null, e.Message); }
    });

    public static bool Available => probe.Value.Device is not null;
    public static string? SkipReason => Available || Required ? null : probe.Value.Reason;
    public static bool Required => Environment.GetEnvironmentVariable("NEURONHOST_REQUIRE_SHARED") == "1";

    public static ClApi Api => probe.Value.Api ?? throw new InvalidOperationException(probe.Value.Reason);
    public static ClDevice Device => probe.Value.Device ?? throw new InvalidOperationException(probe.Value.Reason);

    public static OpenClKernels Kernels(OpenClOptions? options = null) => new(Api, Device, options);
}

/// <summary>A fact that needs an OpenCL device.</summary>
public sealed class OpenClFactAttribute : FactAttribute
{
    public OpenClFactAttribute() { if (OpenClDevice.SkipReason is { } reason) Skip = "needs OpenCL: " + reason; }
}

public sealed class OpenClTheoryAttribute : TheoryAttribute
{
    public OpenClTheoryAttribute() { if (OpenClDevice.SkipReason is { } reason) Skip = "needs OpenCL: " + reason; }
}

/// <summary>Naive float64 references, written from the definitions (not from the kernels).</summary>
public static class ClNaiveReference
{
    public static float[] Random(int rows, int columns, int seed, double scale = 1, double offset = 0)
    {
        var rng = new Random(seed);
        var x = new float[rows * columns];
        for (int i = 0; i < x.Length; i++)
        {
            // A mix of scales per column, like real activations, plus a common offset.
            int c = i % columns;
            x[i] = (float)(offset + scale * (1 + c % 7) * (rng.NextDouble() * 2 - 1) + (c % 3 == 0 ? rng.NextDouble() : 0));
        }
        return x;
    }

    public static (long[] Counts, double[] Mean, double[] Var, double[] AllMean, double[] AllVar, float[] Min, float[] Max)
        Moments(float[] x, int rows, int columns, int[] labels, int classes)
    {
        var counts = new long[classes];
        var sum = new double[classes * columns];
        var allSum = new double[columns];
        var min = Enumerable.Repeat(float.PositiveInfinity, columns).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, columns).ToArray();
        for (int r = 0; r < rows; r++)
        {
            int y = labels[r];
            if (y >= 0) counts[y]++;
            for (int c = 0; c < columns; c++)
            {
                double v = x[r * columns + c];
                if (y >= 0) sum[y * columns + c] += v;
                allSum[c] += v;
                min[c] = Math.Min(min[c], x[r * columns + c]);
                max[c] = Math.Max(max[c], x[r * columns + c]);
            }
        }
        var mean = new double[classes * columns];
        var allMean = new double[columns];
        for (int k = 0; k < classes; k++)
            for (int c = 0; c < columns; c++) mean[k * columns + c] = counts[k] == 0 ? double.NaN : sum[k * columns + c] / counts[k];
        for (int c = 0; c < columns; c++) allMean[c] = rows == 0 ? double.NaN : allSum[c] / rows;
        var ss = new double[classes * columns];
        var allSs = new double[columns];
        for (int r = 0; r < rows; r++)
        {
            int y = labels[r];
            for (int c = 0; c < columns; c++)
            {
                double v = x[r * columns + c];
                if (y >= 0) ss[y * columns + c] += (v - mean[y * columns + c]) * (v - mean[y * columns + c]);
                allSs[c] += (v - allMean[c]) * (v - allMean[c]);
            }
        }
        var variance = new double[classes * columns];
        var allVar = new double[columns];
        for (int k = 0; k < classes; k++)
            for (int c = 0; c < columns; c++) variance[k * columns + c] = counts[k] == 0 ? double.NaN : ss[k * columns + c] / counts[k];
        for (int c = 0; c < columns; c++) allVar[c] = rows == 0 ? double.NaN : allSs[c] / rows;
        return (counts, mean, variance, allMean, allVar, min, max);
    }

    public static double[] Correlation(float[] a, int d1, float[] b, int d2, int rows)
    {
        double[] Mean(float[] m, int d) { var s = new double[d]; for (int r = 0; r < rows; r++) for (int c = 0; c < d; c++) s[c] += m[r * d + c]; return s.Select(v => v / rows).ToArray(); }
        var ma = Mean(a, d1);
        var mb = Mean(b, d2);
        var result = new double[d1 * d2];
        for (int i = 0; i < d1; i++)
            for (int j = 0; j < d2; j++)
            {
                double sab = 0, saa = 0, sbb = 0;
                for (int r = 0; r < rows; r++)
                {
                    double x = a[r * d1 + i] - ma[i], y = b[r * d2 + j] - mb[j];
                    sab += x * y; saa += x * x; sbb += y * y;
                }
                result[i * d2 + j] = saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
            }
        return result;
    }
}
