using BenchmarkDotNet.Attributes;
using NeuronHost.Benchmarks.KernelTable;
using NeuronHost.Kernels.Blas;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Bdn;

/// <summary>Shared setup: a [Rows, Cols] activation matrix with labels, the CPU backend on all cores.</summary>
public abstract class StreamingBenchmark
{
    [Params(50_000)] public int Rows { get; set; }
    [Params(3072)] public int Cols { get; set; }

    protected float[] X = [];
    protected int[] Labels = [];
    protected DenseActivationMatrix Matrix = null!;
    protected readonly CpuKernels Kernels = new();

    [GlobalSetup]
    public void Setup()
    {
        X = BenchData.Gaussianish((long)Rows * Cols, 1, Environment.ProcessorCount);
        Labels = BenchData.Labels(Rows, 17, 2);
        Matrix = new DenseActivationMatrix(X, Rows, Cols, "bench", 8192);
    }
}

public class ClassMomentsBenchmark : StreamingBenchmark
{
    [Benchmark] public ClassMoments Simd() => Kernels.ClassMoments(Matrix, Labels, 17);
    [Benchmark(Baseline = true)] public void Naive() => NaiveKernels.ClassMoments(X, Rows, Cols, Labels, 17);
}

public class MaskedEditBenchmark : StreamingBenchmark
{
    private bool[] mask = [];
    private NeuronEdit contiguous = null!, scattered = null!;

    [GlobalSetup(Target = nameof(Contiguous) + "," + nameof(Scattered))]
    public void SetupEdit()
    {
        Setup();
        var rng = new Random(3);
        mask = Enumerable.Range(0, Rows).Select(_ => rng.Next(2) == 0).ToArray();
        contiguous = new NeuronEdit(EditOp.Add, Enumerable.Range(0, Cols).ToArray(), Scalar: 1e-4f);
        scattered = new NeuronEdit(EditOp.Add, Enumerable.Range(0, Cols).Where(_ => rng.Next(3) == 0).ToArray(), Scalar: 1e-4f);
    }

    [Benchmark] public void Contiguous() => Kernels.ApplyEdit(X, Rows, Cols, mask, contiguous);
    [Benchmark] public void Scattered() => Kernels.ApplyEdit(X, Rows, Cols, mask, scattered);
}

public class TopActivationsBenchmark : StreamingBenchmark
{
    [Benchmark] public TopActivations TopRows() => Kernels.TopActivatingRows(Matrix, 20);
    [Benchmark] public NeuronHistograms Histograms() => Kernels.Histograms(Matrix, 64);
}

public class CorrelationBenchmark
{
    [Params(20_000)] public int Rows { get; set; }
    [Params(1024)] public int Cols { get; set; }
    private DenseActivationMatrix a = null!, b = null!;
    private readonly CpuKernels kernels = new();

    [GlobalSetup]
    public void Setup()
    {
        a = new DenseActivationMatrix(BenchData.Gaussianish((long)Rows * Cols, 1, Environment.ProcessorCount), Rows, Cols, "a", 8192);
        b = new DenseActivationMatrix(BenchData.Gaussianish((long)Rows * Cols, 2, Environment.ProcessorCount), Rows, Cols, "b", 8192);
    }

    [Benchmark] public float[] Correlation() => kernels.Correlation(a, b);
    [Benchmark] public double[] MaxAbsCorrelation() => kernels.MaxAbsCorrelation(a, b);
}

public class SgemmBenchmark
{
    [Params(512, 2048)] public int N { get; set; }
    private float[] a = [], b = [], c = [];

    [GlobalSetup]
    public void Setup()
    {
        a = BenchData.Gaussianish((long)N * N, 1, Environment.ProcessorCount);
        b = BenchData.Gaussianish((long)N * N, 2, Environment.ProcessorCount);
        c = new float[N * N];
    }

    [Benchmark(Baseline = true)] public void OpenBlas() => Gemm.Sgemm(false, false, N, N, N, 1f, a, N, b, N, 0f, c, N);
    [Benchmark] public void Managed() => ManagedGemm.Sgemm(false, false, N, N, N, 1f, a, N, b, N, 0f, c, N);
}
