using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests.OpenCl;

/// <summary>The OpenCL backend and the CPU SIMD backend on the same streamed data (several
/// blocks, several chunks): the same results within the documented tolerances.</summary>
public class CrossBackendTests
{
    [OpenClFact]
    public void OpenCl_and_cpu_simd_agree_on_every_kernel()
    {
        int rows = 3001, d1 = 130, d2 = 67, classes = 9;
        var a = ClNaiveReference.Random(rows, d1, 41, offset: 20);
        var b = ClNaiveReference.Random(rows, d2, 42);
        var labels = Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? -1 : (i * 5) % classes).ToArray();
        var ma = new DenseActivationMatrix(a, rows, d1, rowsPerBlock: 512);
        var mb = new DenseActivationMatrix(b, rows, d2, rowsPerBlock: 1000);
        var cpu = new CpuKernels();
        var ocl = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 700 * d1 * 4 });

        var m1 = cpu.ClassMoments(ma, labels, classes);
        var m2 = ocl.ClassMoments(ma, labels, classes);
        Assert.Equal(m1.Counts, m2.Counts);
        Close.All(m1.Means, m2.Means, 1e-9, "means");
        Close.All(m1.Variances, m2.Variances, 1e-9, "variances");
        Close.All(m1.OverallVariance, m2.OverallVariance, 1e-9, "overall variance");
        Assert.Equal(m1.Min, m2.Min);
        Assert.Equal(m1.Max, m2.Max);
        Close.All(cpu.ProbelessScores(m1), ocl.ProbelessScores(m2), 1e-9, "probeless");

        Close.All(cpu.Correlation(ma, mb), ocl.Correlation(ma, mb), 2e-5, "correlation");
        Close.All(cpu.MaxAbsCorrelation(ma, mb), ocl.MaxAbsCorrelation(ma, mb), 2e-5, "max |ρ|");

        var t1 = cpu.TopActivatingRows(ma, 7);
        var t2 = ocl.TopActivatingRows(ma, 7);
        Assert.Equal(t1.Rows, t2.Rows);
        Assert.Equal(t1.Values, t2.Values);
        Assert.Equal(cpu.Histograms(ma, 32).Counts, ocl.Histograms(ma, 32).Counts);

        var mask = Enumerable.Range(0, rows).Select(r => r % 4 != 0).ToArray();
        var edit = new NeuronEdit(EditOp.ShiftBySign, [0, 5, 6, 7, 129], [0.5f, -1f, 2f, 0.25f, 3f]);
        var e1 = (float[])a.Clone();
        var e2 = (float[])a.Clone();
        cpu.ApplyEdit(e1, rows, d1, mask, edit);
        ocl.ApplyEdit(e2, rows, d1, mask, edit);
        Assert.Equal(e1, e2);
    }
}
