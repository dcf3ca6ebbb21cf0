using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>The demo's memory budget (issue 17: 1.5 GB peak RSS), counted as the README states it:
/// the sum of VmRSS over the host and every plugin worker alive at the same moment, read by
/// scripts/peak-memory.py from the kernel's /proc/PID/status every 0.1 s — the kernel's accounting,
/// not the program's own. The run is the demo itself (same analysis, the built executable, a fresh
/// store folder so the extraction is part of it) on 300 of its 2,000 sentences, to fit the suite:
/// the same processes live together as in the full demo (host, ranking workers kept for reuse, both
/// grid probes' workers, the spare, the intervention worker), each with a smaller share of data.
/// The full demo's figure is measured by hand and stated in the README.</summary>
public sealed class DemoMemoryTests(ITestOutputHelper output)
{
    /// <summary>Issue 17's budget: 1.5 GB (10^9 bytes) for host and workers together.</summary>
    private const long BudgetBytes = 1_500_000_000;

    [DemoAssetsFact]
    public void Demo_host_and_workers_together_stay_within_1_5_GB()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        string sampler = Path.Combine(SharedAssets.RepoRoot, "scripts", "peak-memory.py");
        var temp = Directory.CreateTempSubdirectory("neuronhost-demo-memory-");
        try
        {
            string json = Path.Combine(temp.FullName, "peak.json");
            var psi = new ProcessStartInfo(PythonReference.Interpreter,
                [sampler, "--json", json, "--", exe, "demo", "--sentences", "300", "--out", Path.Combine(temp.FullName, "out"),
                 "--cache", Path.Combine(SharedAssets.RepoRoot, "cache"), "--plugins", BuiltPluginsFixture.BuiltInPlugins])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(temp.FullName, "no-config.json");
            psi.Environment.Remove("NEURONHOST_PLUGINS");
            psi.Environment["NEURONHOST_STORES"] = Path.Combine(temp.FullName, "stores");
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(20)), "the demo did not finish within 20 min");
            string log = stderr.Result;
            output.WriteLine(log.Length > 6000 ? log[^6000..] : log);
            Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{log}");

            using var report = JsonDocument.Parse(File.ReadAllText(json));
            var root = report.RootElement;
            // The sampler saw the whole tree: the host and several plugin workers, not just the launcher.
            var roles = root.GetProperty("processes").EnumerateArray().Select(x => x.GetProperty("role").GetString()).ToList();
            Assert.Contains("neuronhost host", roles);
            Assert.True(roles.Count(r => r == "neuronhost plugin worker") >= 4, $"only {roles.Count(r => r == "neuronhost plugin worker")} workers seen");
            var atPeak = root.GetProperty("peak_sum_rss_processes").EnumerateArray().ToList();
            Assert.True(atPeak.Count >= 2, "the peak should be host and workers together");

            long peakBytes = root.GetProperty("peak_sum_rss_kb").GetInt64() * 1024;
            long anonBytes = root.GetProperty("peak_sum_anon_kb").GetInt64() * 1024;
            output.WriteLine($"summed VmRSS peak {peakBytes / 1e9:0.000} GB, summed RssAnon peak {anonBytes / 1e9:0.000} GB, " +
                $"load {root.GetProperty("load_min").GetDouble():0.0}-{root.GetProperty("load_max").GetDouble():0.0}");
            Assert.True(peakBytes > 100_000_000, $"a summed peak of {peakBytes / 1e6:0} MB means the sampler missed the processes");
            Assert.True(peakBytes <= BudgetBytes,
                $"host and workers together peaked at {peakBytes / 1e9:0.000} GB (> 1.5 GB) at {root.GetProperty("peak_sum_rss_at_s").GetDouble()} s: " +
                string.Join("; ", atPeak.Select(x => $"{x.GetProperty("name").GetString()} {x.GetProperty("rss_kb").GetInt64() * 1024 / 1e9:0.000} GB")));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
