using System.Runtime.InteropServices;

namespace NeuronHost.Cli.Commands;

/// <summary>CPU seconds spent by this process and its child processes (the plugin workers), on
/// Linux; 0 elsewhere. Each live process is read from its CPU clock (clock_gettime on the
/// process's clock id: nanoseconds, all its threads, including those that have exited); children
/// already waited for come from this process's cutime + cstime. Summing the live threads'
/// /proc schedstat instead loses a thread's time when it exits between two readings: a thread-pool
/// thread retiring during a timed call made a reused worker look 43 % cheaper than the same work
/// in process.</summary>
public static partial class ProcessTreeCpu
{
    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        int self = Environment.ProcessId;
        double seconds = ProcessSeconds(self) + WaitedChildrenSeconds();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == self) continue;
            if (ParentOf(pid) == self) seconds += ProcessSeconds(pid);
        }
        return seconds;
    }

    /// <summary>All threads of a process, live and exited; 0 when it is gone.</summary>
    private static double ProcessSeconds(int pid)
    {
        // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) from the kernel's posix-timers.h, as glibc's clock_getcpuclockid builds it.
        int clock = (~pid << 3) | 2;
        return ClockGetTime(clock, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : 0;
    }

    private static double WaitedChildrenSeconds()
    {
        var f = Fields(Environment.ProcessId);
        long Field(int i) => f is not null && f.Length > i && long.TryParse(f[i], out long v) ? v : 0;
        return (Field(13) + Field(14)) / (double)TicksPerSecond;
    }

    private static int ParentOf(int pid) => Fields(pid) is { Length: > 1 } f && int.TryParse(f[1], out int parent) ? parent : -1;

    /// <summary>/proc/PID/stat's fields after the parenthesised command name: [0] state, [1] ppid,
    /// … [13] cutime, [14] cstime (proc(5) numbers them 3, 4, … 16, 17).</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException) { return null; }
    }

    private static readonly long TicksPerSecond = Math.Max(1, SysConf(2));   // _SC_CLK_TCK

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
