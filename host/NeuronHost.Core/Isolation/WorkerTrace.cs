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
        var line = System.Text.Encoding.UTF8.GetBytes($"{micros} {Environment.ProcessId} {what}\n");
        lock (gate)
            for (int attempt = 0; ; attempt++)
            {
                // Host and workers append to one file: FileShare.None takes an exclusive lock (flock
                // on Unix), so one process's seek-to-end and write cannot interleave with another's
                // and overwrite its line.
                try
                {
                    using var stream = new FileStream(file!, FileMode.Append, FileAccess.Write, FileShare.None);
                    stream.Write(line);
                    return;
                }
                catch (IOException) when (attempt < 500) { Thread.Sleep(1); }
            }
    }
}
