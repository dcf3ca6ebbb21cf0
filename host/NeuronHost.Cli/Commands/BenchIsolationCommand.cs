using System.CommandLine;
using System.Diagnostics;
using NeuronHost.Core.Isolation;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost bench isolation --store STORE --ranking NAME</c>: the cost of running a
/// ranking in a worker process. Each round times an in-process call, an isolated call that takes
/// the worker started ahead of need (plugin load, store mapping, labels over the pipe, the ranking,
/// the result back), the same call again on the worker the first one kept (warm), and one whose
/// worker process is started on demand, on the same task; it
/// prints the medians, their spread, the ratios and the load average read in the same run. Beside
/// the wall-clock time it reports the CPU time the host and its worker processes spent on each call
/// (Linux): at load averages of 30 on 2 cores wall-clock time is mostly waiting for a core and
/// swings by ±50 % between rounds, while CPU time measures the work the isolation adds.</summary>
public static class BenchIsolationCommand
{
    public static Command Build(CliContext cli)
    {
        var store = new Option<string>("--store") { Description = "An activation store (neuronhost extract)", Required = true };
        var task = new Option<string>("--task") { Description = "Task over the store", DefaultValueFactory = _ => "upos" };
        var ranking = new Option<string>("--ranking") { Description = "Ranking plugin", DefaultValueFactory = _ => "probeless" };
        var repeats = new Option<int>("--repeats") { Description = "Timed rounds (median reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("isolation", "Time a ranking in process and in a worker process (pre-started and on demand), alternately, on the same data") { store, task, ranking, repeats };
        command.SetAction(parse =>
        {
            using var catalog = cli.LoadPlugins(parse);
            using var opened = ActivationStore.Open(parse.GetRequiredValue(store));
            var data = StoreTaskData.Build(opened, TaskSpec.Parse(parse.GetRequiredValue(task)), new TaskOptions { MinCount = 100 }).Data;
            string name = parse.GetRequiredValue(ranking);
            var context = new PluginContext(KernelBackends.Create("cpu").Kernels) { Seed = 1 };
            using var runners = new PluginRunners(catalog, new IsolationOptions { Backend = "cpu" });
            var inProcess = new List<double>(); var warm = new List<double>(); var reused = new List<double>(); var cold = new List<double>();
            var cpu = new Dictionary<List<double>, List<double>> { [inProcess] = [], [warm] = [], [reused] = [], [cold] = [] };
            var output = cli.Out(parse);
            Ranking Time(Func<Ranking> rank, List<double> into, Ranking? expected)
            {
                // Background work of the previous call (the next spare starting, a worker's
                // collection between calls) settles first, so it is charged to no call.
                PluginRunners.WaitForSpareWorker();
                Thread.Sleep(300);
                double cpuBefore = ProcessTreeCpu.Seconds();
                var clock = Stopwatch.StartNew();
                var r = rank();
                into.Add(clock.Elapsed.TotalSeconds);
                cpu[into].Add(ProcessTreeCpu.Seconds() - cpuBefore);
                if (expected is not null && !expected.Order.Select(n => (n.Column, n.Score)).SequenceEqual(r.Order.Select(n => (n.Column, n.Score))))
                    throw new CliException($"{name}: the isolated ranking differs from the in-process one");
                return r;
            }
            Ranking Isolated() => runners.Ranking(name, null).Rank(new RankingRequest(data), context);
            string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            for (int i = 0; i < parse.GetValue(repeats); i++)
            {
                // The spare worker a previous call started is idle before the in-process call is timed.
                PluginRunners.WaitForSpareWorker();
                var a = Time(() => catalog.Create<IRankingMethod>(name).Rank(new RankingRequest(data), context), inProcess, null);
                PluginRunners.StopIdleWorkers();
                Time(Isolated, warm, a);
                // The same call again takes the worker the last one kept: loaded, mapped, compiled.
                Time(Isolated, reused, a);
                PluginRunners.StopSpareWorker();
                PluginRunners.StopIdleWorkers();
                Time(Isolated, cold, a);
                output.WriteLine($"round {i + 1}: in process {inProcess[^1]:0.000} s{(i == 0 ? " (cold: first call in this process)" : "")}, pre-started worker {warm[^1]:0.000} s, " +
                    $"reused worker {reused[^1]:0.000} s, worker started on demand {cold[^1]:0.000} s");
            }
            // The first in-process call compiles the ranking in the host; later ones are warm, like a reused worker.
            var warmInProcess = inProcess.Count > 1 ? inProcess.Skip(1).ToList() : inProcess;
            double m1 = Median(warmInProcess), m2 = Median(warm), m3 = Median(cold), m4 = Median(reused);
            output.WriteLine($"{name} on {data.Train.Tokens:N0} train words × {data.Neurons.Count} neurons, median of {inProcess.Count} rounds:");
            output.WriteLine($"  in process, first call      {inProcess[0]:0.000} s (cold: compiles the ranking in the host)");
            output.WriteLine($"  in process, later calls     {m1:0.000} s (spread {warmInProcess.Min():0.000}–{warmInProcess.Max():0.000}; warm)");
            output.WriteLine($"  reused worker (warm)        {m4:0.000} s (spread {reused.Min():0.000}–{reused.Max():0.000}); overhead {m4 - m1:0.000} s = {(m4 / m1 - 1) * 100:0.0} % of the warm in-process time");
            output.WriteLine($"  pre-started worker (cold)   {m2:0.000} s (spread {warm.Min():0.000}–{warm.Max():0.000}); overhead {m2 - inProcess[0]:0.000} s = {(m2 / inProcess[0] - 1) * 100:0.0} % of the cold in-process call");
            output.WriteLine($"  worker started on demand    {m3:0.000} s (spread {cold.Min():0.000}–{cold.Max():0.000}); overhead {m3 - inProcess[0]:0.000} s = {(m3 / inProcess[0] - 1) * 100:0.0} % of the cold in-process call");
            if (OperatingSystem.IsLinux())
            {
                // CPU time: the first in-process call compiles, so warm calls are compared with the later ones.
                var cpuWarm = cpu[inProcess].Count > 1 ? cpu[inProcess].Skip(1).ToList() : cpu[inProcess];
                double c1 = Median(cpuWarm), c0 = cpu[inProcess][0];
                output.WriteLine("  CPU time of the host and its workers per call (all threads), median (spread):");
                output.WriteLine($"  in process, first call      {c0:0.000} s");
                output.WriteLine($"  in process, later calls     {c1:0.000} s ({cpuWarm.Min():0.000}–{cpuWarm.Max():0.000})");
                foreach (var (label, list, basis, basisName) in new[] { ("reused worker (warm)      ", reused, c1, "warm"), ("pre-started worker (cold) ", warm, c0, "cold"), ("worker started on demand  ", cold, c0, "cold") })
                {
                    double m = Median(cpu[list]);
                    output.WriteLine($"  {label}  {m:0.000} s ({cpu[list].Min():0.000}–{cpu[list].Max():0.000}); overhead {m - basis:0.000} s = {(m / basis - 1) * 100:0.0} % of the {basisName} in-process call");
                }
            }
            output.WriteLine($"  load average {load} at the start, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end on {Environment.ProcessorCount} cores");
            return 0;
        });
        return command;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
