namespace NeuronHost.Sdk;

/// <summary>What the host hands a plugin for one call.</summary>
public interface IPluginContext
{
    /// <summary>The compute kernels on the backend the user chose (CPU SIMD, or CUDA / OpenCL through ILGPU).</summary>
    IComputeKernels Kernels { get; }
    IProgress<ProgressReport> Progress { get; }
    IPluginLog Log { get; }
    CancellationToken Cancellation { get; }
    /// <summary>Seed for everything random, so runs repeat.</summary>
    int Seed { get; }
}

/// <summary>One progress update: <paramref name="Done"/> of <paramref name="Total"/> in
/// <paramref name="Unit"/> (tokens, neurons, steps…) for the named stage.</summary>
public readonly record struct ProgressReport(string Stage, double Done, double Total, string Unit = "");

public interface IPluginLog
{
    void Info(string message);
    void Warn(string message);
}

/// <summary>A plain context for tests and for hosts other than ours.</summary>
public sealed class PluginContext(IComputeKernels kernels) : IPluginContext
{
    public IComputeKernels Kernels { get; init; } = kernels;
    public IProgress<ProgressReport> Progress { get; init; } = new Progress<ProgressReport>();
    public IPluginLog Log { get; init; } = new NullLog();
    public CancellationToken Cancellation { get; init; }
    public int Seed { get; init; } = 1;

    private sealed class NullLog : IPluginLog
    {
        public void Info(string message) { }
        public void Warn(string message) { }
    }
}
