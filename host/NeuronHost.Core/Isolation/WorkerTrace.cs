using System.Diagnostics;

namespace NeuronHost.Core.Isolation;

/// <summary>Timestamps of a worker's life, host and worker side, for finding where its start-up
/// goes: set <c>NEURONHOST_WORKER_TRACE=FILE</c> and each side appends
/// "unix-microseconds pid what" lines to FILE (workers inherit the variable). Off by default.</summary>
internal static class WorkerTrace
{
    private static readonly string? file = Environment.GetEnvironmentVariable("NEURONHOST_WORKER_TRACE") is { Length: > 0 } f ? f : null;
    private static readonly object gate = new();

    public static bool Enabled => file is not null;

    public static void Mark(string what)
    {
        if (file is null) return;
        Write(DateTime.UtcNow, what);
    }

    /// <summary>The worker's own process start (before the runtime ran any of our code).</summary>
    public static void MarkProcessStart()
    {
        if (file is null) return;
        using var self = Process.GetCurrentProcess();
        Write(self.StartTime.ToUniversalTime(), "process start (kernel)");
    }

    private static void Write(DateTime at, string what)
    {
        long micros = (at - DateTime.UnixEpoch).Ticks / 10;
        lock (gate) File.AppendAllText(file!, $"{micros} {Environment.ProcessId} {what}\n");
    }
}
