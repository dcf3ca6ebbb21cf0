using System.CommandLine;
using System.Diagnostics;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost bench …</c>. Every benchmark except <c>isolation</c> (which times the
/// host's own worker processes) lives in host/NeuronHost.Benchmarks, a program of its own that
/// the build places in <c>bench/</c> beside this executable: the host references no plugin, and
/// no production assembly carries benchmark code. Those subcommands run it as a child process
/// with the arguments unchanged (its own help included: <c>bench forward --help</c>).</summary>
public sealed class BenchCommand : ICliCommand
{
    /// <summary>The subcommands of the benchmarks program, with the line `bench --help` shows.</summary>
    internal static readonly (string Name, string Description)[] Forwarded =
    [
        ("all", "Every benchmark in one run under one discipline; --out writes docs/benchmarks.md"),
        ("kernels", "Kernel table: ours and PyTorch alternating, medians and spread, against read/write bandwidth and SGEMM measured in the same run"),
        ("forward", "Forward tokens/s of our runtime vs PyTorch eager (the reference implements GPT-2 checkpoints), alternating, PyTorch at its best thread count"),
        ("load", "Checkpoint load time and peak RSS, ours vs PyTorch, each in a fresh process per round (bf16/f16 checkpoints are converted to float32)"),
        ("store", "Build a store larger than a memory budget and compute class moments over it; peak RSS next to the store size"),
        ("probes", "Linear probe (ours vs NeuroX's Adam trainer) and Gaussian selection (incremental vs from scratch)"),
        ("gpu", "The ILGPU backend on a GPU vs its copy bandwidth, PyTorch CUDA and cpu-simd"),
        ("bdn", "The kernels under BenchmarkDotNet (e.g. bdn --filter *Moments*)"),
    ];

    public Command Build(CliContext cli)
    {
        var bench = new Command("bench", "Benchmarks against their references (PyTorch, NeuroX, the machine's limits); see docs/benchmarks.md");
        foreach (var (name, description) in Forwarded)
        {
            // Reached only through `neuronhost bench` listings: CliApp.Run hands `bench NAME …` to Forward before parsing.
            var sub = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
            sub.SetAction(parse => Forward([name, .. parse.UnmatchedTokens], cli.Out(parse), cli.Error(parse)));
            bench.Add(sub);
        }
        bench.Add(BenchIsolationCommand.Build(cli));
        bench.SetAction(CliApp.ShowHelp);
        return bench;
    }

    /// <summary>True for <c>bench NAME …</c> with NAME one of <see cref="Forwarded"/>.</summary>
    internal static bool IsForwarded(string[] args) =>
        args.Length >= 2 && args[0] == "bench" && Forwarded.Any(f => f.Name == args[1]);

    /// <summary>The benchmarks program shipped beside this executable (never one found elsewhere).</summary>
    internal static string Program => Path.Combine(AppContext.BaseDirectory, "bench", "NeuronHost.Benchmarks.dll");

    /// <summary>Runs the benchmarks program with <paramref name="args"/>, copying its output
    /// line by line; returns its exit code.</summary>
    internal static int Forward(string[] args, TextWriter output, TextWriter error)
    {
        if (!File.Exists(Program))
            throw new CliException($"{Program} is missing: it is built with the CLI (dotnet build host/NeuronHost.Cli -c Release)");
        // the dotnet host that runs us runs the benchmarks too (the apphost may not find the runtime)
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi) ?? throw new CliException($"cannot start {dotnet} {Program}");
        var lockObj = new object();
        void Pump(StreamReader from, TextWriter to)
        {
            string? line;
            while ((line = from.ReadLine()) is not null)
                lock (lockObj) { to.WriteLine(line); to.Flush(); }
        }
        var err = Task.Run(() => Pump(child.StandardError, error));
        Pump(child.StandardOutput, output);
        err.Wait();
        child.WaitForExit();
        return child.ExitCode;
    }
}
