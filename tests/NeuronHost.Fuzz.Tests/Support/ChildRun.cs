using System.Diagnostics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests.Support;

/// <summary>The real <c>neuronhost</c> executable run as a child process with a 30 s timeout and a
/// 1 GB resident-memory cap (polled from /proc; the child is killed when it crosses it), for the
/// cases that could crash or exhaust the test process itself.</summary>
public sealed record ChildRun(int ExitCode, string Stdout, string Stderr, bool TimedOut, long PeakRssBytes)
{
    public const long RssLimit = 1L << 30;

    public static string Executable
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
            Assert.True(File.Exists(exe), $"{exe} is not built");
            return exe;
        }
    }

    public static ChildRun Start(string workingDirectory, params string[] args) => Start(workingDirectory, Outcome.Timeout, args);

    public static ChildRun Start(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(Executable, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory,
        };
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(workingDirectory, "no-config.json");
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        long peak = 0;
        bool timedOut = false, overMemory = false;
        while (!p.WaitForExit(50))
        {
            peak = Math.Max(peak, ResidentBytes(p.Id));
            if (peak > RssLimit) overMemory = true;
            if (clock.Elapsed > timeout) timedOut = true;
            if (timedOut || overMemory) { p.Kill(entireProcessTree: true); p.WaitForExit(); break; }
        }
        return new ChildRun(p.ExitCode, stdout.Result, stderr.Result, timedOut, peak);
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return 0;
    }
}
