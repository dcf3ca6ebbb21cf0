using System.Diagnostics;
using System.Runtime.InteropServices;
using NeuronHost.Cli.Commands;

namespace NeuronHost.Host.Tests;

/// <summary>The CPU time `bench isolation` charges to a call counts a thread that exited during the
/// call and a child process (a worker) that ran during it — each checked against that thread's own
/// CPU clock and the child's clock read by the kernel's /proc/PID/stat — and is in seconds.</summary>
public sealed partial class ProcessTreeCpuTests
{
    [Fact]
    public void A_thread_that_exits_between_two_readings_is_still_counted()
    {
        double before = ProcessTreeCpu.Seconds();
        double threadSeconds = 0;
        var thread = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            double x = 0;
            while (clock.ElapsedMilliseconds < 400) x += Math.Sqrt(x + 1);
            GC.KeepAlive(x);
            threadSeconds = ThreadCpuSeconds();
        });
        thread.Start();
        thread.Join();
        double delta = ProcessTreeCpu.Seconds() - before;
        Assert.True(threadSeconds > 0.05, $"the spinning thread got only {threadSeconds:0.000} s of CPU");
        // Summing live threads' schedstat gave about 0 here: the thread is gone at the second reading.
        Assert.True(delta >= threadSeconds - 0.002, $"counted {delta:0.000} s; the exited thread alone used {threadSeconds:0.000} s");
        Assert.True(delta < threadSeconds + 2, $"counted {delta:0.000} s for a thread of {threadSeconds:0.000} s and a waiting test");
    }

    [Fact]
    public void A_running_child_process_is_counted_in_seconds()
    {
        double before = ProcessTreeCpu.Seconds();
        using var child = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        try
        {
            Thread.Sleep(1000);
            double delta = ProcessTreeCpu.Seconds() - before;
            double childSeconds = StatSeconds(child.Id);
            Assert.True(childSeconds > 0.05, $"the busy child got only {childSeconds:0.000} s of CPU");
            // /proc/PID/stat counts in clock ticks (1/100 s): allow one tick each way.
            Assert.True(delta >= childSeconds - 0.011, $"counted {delta:0.000} s; the child alone used {childSeconds:0.000} s");
            Assert.True(delta < childSeconds + 1.5, $"counted {delta:0.000} s for a child of {childSeconds:0.000} s and a sleeping test");
        }
        finally { child.Kill(); child.WaitForExit(); }
    }

    private static double StatSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static double ThreadCpuSeconds() => ClockGetTime(3, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : 0;   // CLOCK_THREAD_CPUTIME_ID
}
