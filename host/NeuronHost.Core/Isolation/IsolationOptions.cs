namespace NeuronHost.Core.Isolation;

/// <summary>How plugin calls are isolated from the host. By default every ranking and probe runs
/// in a worker process (the same executable, hidden <c>plugin-worker</c> command) that maps the
/// same activation store; a worker that throws, hangs, overflows its stack, exits or runs out of
/// memory ends only that plugin's work.</summary>
public sealed record IsolationOptions
{
    /// <summary>Run plugins inside the host (debugging): exceptions and timeouts are still caught,
    /// but a crash, a stack overflow or <c>Environment.Exit</c> ends the host.</summary>
    public bool InProcess { get; init; }
    /// <summary>Longest one plugin call may take (a ranking, one probe training with its
    /// predictions, one intervention); null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>GC heap limit of each worker process in MiB (DOTNET_GCHeapHardLimit); null: the
    /// runtime's default.</summary>
    public long? WorkerMemoryMb { get; init; }
    /// <summary>Kernel backend the workers create (as given to KernelBackends.Create).</summary>
    public string Backend { get; init; } = "cpu";

    public static IsolationOptions Default { get; } = new();

    public string TimeoutText => Timeout is { } t ? $"{t.TotalSeconds:0.###} s" : "no limit";
}
