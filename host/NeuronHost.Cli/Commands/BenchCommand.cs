using System.CommandLine;
using NeuronHost.Runtime.Models;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost bench …</c>: pipeline-stage benchmarks, each printed next to its
/// baseline (PyTorch) as a ratio from the same run. Kernel benchmarks live in
/// kernels/NeuronHost.Kernels.Benchmarks (see docs/benchmarks.md).</summary>
public sealed class BenchCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var bench = new Command("bench", "Benchmarks of pipeline stages against their baselines (kernels: see docs/benchmarks.md)");

        var model = new Option<string>("--model") { Description = "Model folder (GPT-2 checkpoints get the PyTorch comparison)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Sequences per forward", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--length") { Description = "Tokens per sequence", DefaultValueFactory = _ => 128 };
        var iterations = new Option<int>("--iterations") { Description = "Timed forwards (median reported)", DefaultValueFactory = _ => 5 };
        var forward = new Command("forward", "Forward tokens/s of our runtime vs PyTorch eager on the same batch and thread count")
        {
            model, batch, length, iterations,
        };
        forward.SetAction(parse =>
        {
            var result = ForwardBenchmark.Run(parse.GetRequiredValue(model), parse.GetValue(batch), parse.GetValue(length), parse.GetValue(iterations));
            cli.Out(parse).WriteLine(result.ToString());
            return 0;
        });
        bench.Add(forward);

        var storeDir = new Option<string>("--dir") { Description = "Folder to work in: the benchmark writes its synthetic store into a new subfolder there and deletes only that", DefaultValueFactory = _ => Path.GetTempPath() };
        var size = new Option<double>("--gib") { Description = "Store size in GiB (make it larger than the memory you allow the process)", DefaultValueFactory = _ => 3.0 };
        var store = new Command("store", "Build a store larger than a memory budget and compute class moments over it; prints peak RSS next to the store size")
        {
            storeDir, size,
        };
        store.SetAction(parse =>
        {
            var options = new NeuronHost.Data.Store.StoreBenchOptions { Directory = parse.GetRequiredValue(storeDir), TargetBytes = (long)(parse.GetValue(size) * (1L << 30)) };
            var result = NeuronHost.Data.Store.StoreBenchmark.Run(options, new NeuronHost.Kernels.Cpu.CpuKernels());
            cli.Out(parse).WriteLine(result.Describe());
            return 0;
        });
        bench.Add(store);
        bench.Add(BenchProbesCommand.Build(cli));
        bench.Add(BenchIsolationCommand.Build(cli));
        bench.SetAction(CliApp.ShowHelp);
        return bench;
    }
}
