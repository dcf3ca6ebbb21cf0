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
        bench.SetAction(CliApp.ShowHelp);
        return bench;
    }
}
