using NeuronHost.Kernels.Cpu;

namespace NeuronHost.Sdk.Testing;

/// <summary>A plugin context as the host builds one: the host's own CPU SIMD kernels, a seed,
/// a cancellation token, and a log and progress sink that keep what the plugin reported so a
/// test can assert on it.</summary>
public sealed class TestPluginContext : IPluginContext
{
    private readonly RecordingLog log = new();
    private readonly List<ProgressReport> progress = [];

    /// <param name="seed">the run's seed (the host's default is 1)</param>
    /// <param name="threads">kernel threads; 0 = all cores</param>
    /// <param name="cancellation">handed to the plugin as <see cref="Cancellation"/></param>
    public TestPluginContext(int seed = 1, int threads = 1, CancellationToken cancellation = default)
    {
        Seed = seed;
        Kernels = new CpuKernels(threads);
        Cancellation = cancellation;
        Progress = new SynchronousProgress(progress);
    }

    public IComputeKernels Kernels { get; }
    public IProgress<ProgressReport> Progress { get; }
    public IPluginLog Log => log;
    public CancellationToken Cancellation { get; }
    public int Seed { get; }

    /// <summary>Every Info/Warn line, prefixed "info: " or "warn: ".</summary>
    public IReadOnlyList<string> LogLines => log.Lines;

    /// <summary>Every progress report, in order.</summary>
    public IReadOnlyList<ProgressReport> ProgressReports => progress;

    private sealed class RecordingLog : IPluginLog
    {
        public List<string> Lines { get; } = [];
        public void Info(string message) { lock (Lines) Lines.Add("info: " + message); }
        public void Warn(string message) { lock (Lines) Lines.Add("warn: " + message); }
    }

    /// <summary>Unlike <see cref="Progress{T}"/>, records on the calling thread, before Report returns.</summary>
    private sealed class SynchronousProgress(List<ProgressReport> reports) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) { lock (reports) reports.Add(value); }
    }
}
