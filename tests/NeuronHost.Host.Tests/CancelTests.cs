using System.Diagnostics;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Store;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>Ctrl+C (SIGINT) on a batch run of the real executable: it stops within seconds with
/// exit code 130, writes results.json with status "cancelled" naming the stage, and the activation
/// store it finished before the signal is intact (opens, all rows present).</summary>
public sealed class CancelTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-cancel-");
    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } }

    [SharedFact]
    public async Task CtrlC_during_the_grid_stops_the_run_and_keeps_what_was_written()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        string stores = Path.Combine(temp.FullName, "stores"), outDir = Path.Combine(temp.FullName, "out");
        string yaml = Path.Combine(temp.FullName, "analysis.yaml");
        // The full Pitfalls k grid (150 probes per selection) keeps the grid busy for minutes.
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max_sentences: 300
            task:
              name: upos
            layers: [1]
            hook: mlp.hook_post
            rankings:
              - plugin: probeless
            probes:
              - plugin: linear-probe
            k_grid: [{string.Join(", ", Enumerable.Range(1, 150))}]
            output: {outDir}
            seed: 1
            """);

        var psi = new ProcessStartInfo(exe, ["run", yaml]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(temp.FullName, "no-config.json");
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        psi.Environment["NEURONHOST_STORES"] = stores;
        using var p = new Process { StartInfo = psi };
        var log = new System.Text.StringBuilder();
        var inGrid = new TaskCompletionSource();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains("] probe × ranking grid: ")) inGrid.TrySetResult();
        };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.Start();
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        try
        {
            await inGrid.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var signalled = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) await kill.WaitForExitAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await p.WaitForExitAsync(timeout.Token);
            output.WriteLine($"stopped {signalled.Elapsed.TotalSeconds:0.0} s after SIGINT");
            Assert.Equal(130, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill(true);
            lock (log) output.WriteLine(log.ToString());
        }

        var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
        Assert.Equal(RunStatus.Cancelled, results.Status);
        Assert.Contains("rank and probe", results.StatusMessage);
        Assert.Contains(results.Timings, t => t.Stage == "extract");

        // The store (in the store cache) finished before the signal: it opens and holds every word of the run.
        var storeDir = Assert.Single(Directory.GetDirectories(stores));
        using var store = ActivationStore.Open(storeDir);
        Assert.True(store.Rows >= results.Identity.TrainTokens + results.Identity.DevTokens + results.Identity.TestTokens,
            $"store has {store.Rows} rows, the task {results.Identity.TrainTokens}+{results.Identity.DevTokens}+{results.Identity.TestTokens} words");
    }
}
