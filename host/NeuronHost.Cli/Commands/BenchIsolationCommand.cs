using System.CommandLine;
using System.Diagnostics;
using NeuronHost.Core.Isolation;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost bench isolation --store STORE --ranking NAME</c>: the cost of running a
/// ranking in a worker process. Alternates in-process calls and isolated calls (worker start,
/// store mapping, labels over the pipe, the ranking, the result back) on the same task and
/// prints the medians, their ratio and the load average read in the same run.</summary>
public static class BenchIsolationCommand
{
    public static Command Build(CliContext cli)
    {
        var store = new Option<string>("--store") { Description = "An activation store (neuronhost extract)", Required = true };
        var task = new Option<string>("--task") { Description = "Task over the store", DefaultValueFactory = _ => "upos" };
        var ranking = new Option<string>("--ranking") { Description = "Ranking plugin", DefaultValueFactory = _ => "probeless" };
        var repeats = new Option<int>("--repeats") { Description = "Timed pairs (median reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("isolation", "Time a ranking in process and in a worker process, alternately, on the same data") { store, task, ranking, repeats };
        command.SetAction(parse =>
        {
            using var catalog = cli.LoadPlugins(parse);
            using var opened = ActivationStore.Open(parse.GetRequiredValue(store));
            var data = StoreTaskData.Build(opened, TaskSpec.Parse(parse.GetRequiredValue(task)), new TaskOptions { MinCount = 100 }).Data;
            string name = parse.GetRequiredValue(ranking);
            var context = new PluginContext(KernelBackends.Create("cpu").Kernels) { Seed = 1 };
            using var runners = new PluginRunners(catalog, new IsolationOptions { Backend = "cpu" });
            var inProcess = new List<double>(); var isolated = new List<double>();
            var output = cli.Out(parse);
            for (int i = 0; i < parse.GetValue(repeats); i++)
            {
                var clock = Stopwatch.StartNew();
                var a = catalog.Create<IRankingMethod>(name).Rank(new RankingRequest(data), context);
                inProcess.Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                var b = runners.Ranking(name, null).Rank(new RankingRequest(data), context);
                isolated.Add(clock.Elapsed.TotalSeconds);
                if (!a.Order.Select(n => n.Column).SequenceEqual(b.Order.Select(n => n.Column)))
                    throw new CliException($"{name}: the isolated ranking differs from the in-process one");
                output.WriteLine($"pair {i + 1}: in process {inProcess[^1]:0.000} s, worker {isolated[^1]:0.000} s");
            }
            double m1 = Median(inProcess), m2 = Median(isolated);
            output.WriteLine($"{name} on {data.Train.Tokens:N0} train words × {data.Neurons.Count} neurons: in process {m1:0.000} s, " +
                $"in a worker {m2:0.000} s (median of {inProcess.Count}); overhead {m2 - m1:0.000} s = {(m2 / m1 - 1) * 100:0.0} % of the ranking's own time; " +
                $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
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
