using System.Diagnostics;
using NeuronHost.Cli;
using NeuronHost.Core.Isolation;
using NeuronHost.Core.Plugins;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>A ranking's second call with the same plugin and setup runs in the worker its first
/// call kept (docs/plugin-isolation.md, "Overhead"), and an isolated ranking — first or reused —
/// equals the in-process one score for score. Real store: gpt2-mini-brown's layer-1 FFN neurons
/// on the first 150 sentences of UD English-EWT dev.</summary>
public sealed class WorkerReuseTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-reuse-");
    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } }

    private string ExtractStore()
    {
        string conllu = Path.Combine(temp.FullName, "ewt-150.conllu"), store = Path.Combine(temp.FullName, "store");
        using (var writer = new StreamWriter(conllu))
        {
            int done = 0;
            foreach (var line in File.ReadLines(SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")))
            {
                writer.WriteLine(line);
                if (line.Length == 0 && ++done == 150) break;
            }
        }
        var err = new StringWriter();
        int code = CliApp.Run(["extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", conllu, "--task", "upos",
            "--hooks", "blocks.1.mlp.hook_post", "--out", store], Program.Commands, new StringWriter(), err, new CliContext { OnlyCommandLinePlugins = true });
        Assert.True(code == 0, $"extract failed ({code}): {err}");
        return store;
    }

    [SharedFact]
    public void A_second_call_of_the_same_ranking_runs_in_the_same_worker_and_equals_the_in_process_ranking()
    {
        string store = ExtractStore();

        // Equality, in this process: the in-process ranking is the reference for both isolated calls.
        using (var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins]))
        using (var opened = ActivationStore.Open(store))
        {
            var data = StoreTaskData.Build(opened, TaskSpec.Parse("upos")).Data;
            var context = new PluginContext(KernelBackends.Create("cpu").Kernels) { Seed = 1 };
            var expected = catalog.Create<IRankingMethod>("probeless").Rank(new RankingRequest(data), context);
            using var runners = new PluginRunners(catalog, new IsolationOptions { Backend = "cpu" });
            for (int call = 1; call <= 2; call++)
            {
                var isolated = runners.Ranking("probeless", null).Rank(new RankingRequest(data), context);
                Assert.Equal(expected.Order.Count, isolated.Order.Count);
                for (int i = 0; i < expected.Order.Count; i++)
                {
                    Assert.Equal(expected.Order[i].Column, isolated.Order[i].Column);
                    Assert.Equal(expected.Order[i].Neuron, isolated.Order[i].Neuron);
                    Assert.Equal(expected.Order[i].Score, isolated.Order[i].Score); // exact: same code, same threads
                }
            }
        }

        // Reuse, in a child process whose host and workers write the worker trace: each round of
        // the benchmark calls probeless on the pre-started worker, then again (reused), then on a
        // worker started on demand. The process that answers each call is named by its own pid.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        string trace = Path.Combine(temp.FullName, "trace.txt");
        var psi = new ProcessStartInfo(exe, ["bench", "isolation", "--store", store, "--ranking", "probeless", "--repeats", "2"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["NEURONHOST_WORKER_TRACE"] = trace;
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(temp.FullName, "no-config.json");
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), "bench isolation did not finish within 5 min");
            output.WriteLine(stdout.Result);
            Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        }

        // host "start" events in call order, and the pid of the worker that received each Rank request
        var events = File.ReadAllLines(trace).Select(l => l.Split(' ', 3)).Select(f => (Pid: int.Parse(f[1]), What: f[2])).ToList();
        var starts = events.Where(e => e.What.StartsWith("host start: ")).Select(e => e.What["host start: ".Length..]).ToList();
        var served = events.Where(e => e.What == "worker received Rank").Select(e => e.Pid).ToList();
        var started = events.Where(e => e.What == "process start (kernel)").Select(e => e.Pid).ToList();
        int host = events.First(e => e.What.StartsWith("host")).Pid;
        Assert.Equal(new[] { "took the spare", "reused an idle worker", "launching on demand", "took the spare", "reused an idle worker", "launching on demand" }, starts);
        Assert.Equal(6, served.Count);
        Assert.DoesNotContain(host, served);
        for (int round = 0; round < 2; round++)
        {
            int first = served[3 * round], reused = served[3 * round + 1], onDemand = served[3 * round + 2];
            Assert.Equal(first, reused);       // the second call ran in the first call's worker
            Assert.NotEqual(first, onDemand);  // with the idle worker stopped, a new process answered
            Assert.Equal(1, started.Count(pid => pid == first)); // started once, not restarted in between
        }
        Assert.Equal(4, served.Distinct().Count());
    }
}
