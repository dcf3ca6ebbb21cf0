namespace NeuronHost.Core.Isolation;

/// <summary>Workers kept after a call that answered, for the next call of the same plugin with the
/// same setup (parameters, seed, backend, store rows, memory limit). A reused worker has loaded its
/// plugin, mapped the store and compiled its code already, which is nearly all of a new worker's
/// cost (docs/plugin-isolation.md). A worker is only reused for the plugin it ran — never handed
/// to another plugin — and one whose call failed is never kept. At most
/// <see cref="MaxIdle"/> wait; the oldest goes first; all stop at the end of the command's plugin
/// runs (<see cref="PluginWorker.ReleaseAll"/>).</summary>
internal static class IdleWorkers
{
    /// <summary>Idle workers kept at once: each holds its own runtime and mapped pages.</summary>
    public const int MaxIdle = 2;

    private static readonly object gate = new();
    private static readonly List<(byte[] Key, PluginWorker Worker)> idle = [];

    /// <summary>The setup as the worker receives it, plus the memory limit: equal keys, equal workers.</summary>
    public static byte[] Key(WorkerSetup setup, IsolationOptions options)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            setup.Write(w);
            w.Write(options.WorkerMemoryMb ?? -1);
        }
        return buffer.ToArray();
    }

    public static PluginWorker? Take(byte[] key)
    {
        while (true)
        {
            PluginWorker? found = null;
            lock (gate)
            {
                int i = idle.FindIndex(e => e.Key.AsSpan().SequenceEqual(key));
                if (i < 0) return null;
                found = idle[i].Worker;
                idle.RemoveAt(i);
            }
            if (found.Alive) return found;
            found.Dispose(); // exited while idle
        }
    }

    /// <summary>Keeps <paramref name="worker"/>; false when it cannot be kept (the caller stops it).</summary>
    public static bool Park(byte[] key, PluginWorker worker)
    {
        PluginWorker? evicted = null;
        lock (gate)
        {
            idle.Add((key, worker));
            if (idle.Count > MaxIdle) { evicted = idle[0].Worker; idle.RemoveAt(0); }
        }
        evicted?.Dispose();
        return true;
    }

    public static void Clear()
    {
        List<(byte[] Key, PluginWorker Worker)> all;
        lock (gate) { all = [.. idle]; idle.Clear(); }
        foreach (var (_, w) in all) w.Dispose();
    }
}
