using System.CommandLine;
using NeuronHost.Benchmarks.Forward;
using NeuronHost.Benchmarks.Probes;
using NeuronHost.Benchmarks.Store;
using NeuronHost.Kernels.Cpu;

namespace NeuronHost.Benchmarks;

/// <summary>The subcommands with System.CommandLine options (the kernel table, gpu and bdn take
/// their arguments raw, see Program.cs).</summary>
internal static class BenchCommands
{
    public static RootCommand Root()
    {
        var root = new RootCommand("NeuronHost benchmarks (`neuronhost bench …`): kernels, forward, store, probes, all, gpu, bdn");

        var model = new Option<string>("--model") { Description = "Model folder (GPT-2 checkpoints get the PyTorch comparison)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Sequences per forward", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--length") { Description = "Tokens per sequence", DefaultValueFactory = _ => 128 };
        var rounds = new Option<int>("--rounds", "--iterations") { Description = "Interleaved rounds, ours then PyTorch alternating (at least 5; medians and min–max reported)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads for OpenBLAS, and the most PyTorch tries (0 = all cores)", DefaultValueFactory = _ => 0 };
        var forward = new Command("forward", "Forward tokens/s of our runtime vs PyTorch eager (GPT-2) on the same batch, alternating, PyTorch at its fastest thread count") { model, batch, length, rounds, threads };
        forward.SetAction(parse =>
        {
            var result = ForwardBenchmark.Run(parse.GetRequiredValue(model), parse.GetValue(batch), parse.GetValue(length), parse.GetValue(rounds),
                threads: parse.GetValue(threads), log: parse.InvocationConfiguration.Error);
            parse.InvocationConfiguration.Output.WriteLine(result.ToString());
            return 0;
        });
        root.Add(forward);

        var loadRounds = new Option<int>("--rounds") { Description = "Interleaved rounds, ours then PyTorch alternating, each load in a fresh process (at least 5)", DefaultValueFactory = _ => 5 };
        var loadThreads = new Option<int>("--threads") { Description = "The most threads PyTorch tries (0 = all cores)", DefaultValueFactory = _ => 0 };
        var load = new Command("load", "Checkpoint load time and peak RSS, ours vs PyTorch, each in a fresh process per round (bf16/f16 checkpoints are converted to float32)") { model, loadRounds, loadThreads };
        load.SetAction(parse =>
        {
            var result = LoadBenchmark.Run(parse.GetRequiredValue(model), parse.GetValue(loadRounds), parse.GetValue(loadThreads), parse.InvocationConfiguration.Error);
            parse.InvocationConfiguration.Output.WriteLine(result.ToString());
            return 0;
        });
        root.Add(load);
        var loadOnce = new Command("load-once", "One load in this process, printed as JSON (what `bench load` runs in each round)") { model };
        loadOnce.Hidden = true;
        loadOnce.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(LoadBenchmark.Once(parse.GetRequiredValue(model)));
            return 0;
        });
        root.Add(loadOnce);

        var storeDir = new Option<string>("--dir") { Description = "Folder to work in: the benchmark writes its synthetic store into a new subfolder there and deletes only that", DefaultValueFactory = _ => Path.GetTempPath() };
        var size = new Option<double>("--gib") { Description = "Store size in GiB (make it larger than the memory you allow the process)", DefaultValueFactory = _ => 3.0 };
        var store = new Command("store", "Build a store larger than a memory budget and compute class moments over it; prints peak RSS next to the store size") { storeDir, size };
        store.SetAction(parse =>
        {
            var options = new StoreBenchOptions { Directory = parse.GetRequiredValue(storeDir), TargetBytes = (long)(parse.GetValue(size) * (1L << 30)) };
            var result = StoreBenchmark.Run(options, new CpuKernels());
            parse.InvocationConfiguration.Output.WriteLine(result.Describe());
            return 0;
        });
        root.Add(store);
        root.Add(ProbesCommand.Build());
        root.Add(AllCommand.Build());
        return root;
    }
}
