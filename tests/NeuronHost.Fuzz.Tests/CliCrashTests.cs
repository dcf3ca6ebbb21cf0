using System.Text.Json.Nodes;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>The cases that could take the test process down with them (stack overflow, memory
/// exhaustion, an endless device), run through the real CLI as child processes with a 30 s
/// timeout and a 1 GB RSS cap: each must end with exit code 1 and one error line naming the file.</summary>
public sealed class CliCrashTests
{
    private static string Gpt2 => SharedAssets.Model("gpt2-mini-brown");
    private static string EwtDev => SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu");

    private static string Yaml(Scratch scratch, string modelLine)
    {
        string file = scratch.File("analysis.yaml");
        File.WriteAllText(file, $"""
            {modelLine}
            corpus: {EwtDev}
            task: upos
            layers: [1]
            output: out
            """);
        return file;
    }

    public static TheoryData<string> DeepYaml() => new()
    {
        "block sequences 50,000 deep",
        "flow lists 100,000 deep",
        "unclosed flow lists 100,000 deep",
        "flow mappings 50,000 deep",
    };

    [SharedTheory]
    [MemberData(nameof(DeepYaml))]
    public void Deep_yaml_is_refused_without_stack_overflow_or_hang(string shape)
    {
        using var scratch = new Scratch();
        string model = shape switch
        {
            "block sequences 50,000 deep" => "model:\n" + string.Concat(Enumerable.Repeat("- ", 50_000)) + "x",
            "flow lists 100,000 deep" => "model: " + new string('[', 100_000) + new string(']', 100_000),
            "unclosed flow lists 100,000 deep" => "model: " + new string('[', 100_000),
            _ => "model: " + string.Concat(Enumerable.Repeat("{a: ", 50_000)) + "1" + new string('}', 50_000),
        };
        string file = Yaml(scratch, model);
        Outcome.AssertCliError(ChildRun.Start(scratch.Dir, "run", file), file);
    }

    [SharedFact]
    public void A_huge_n_layer_is_refused_before_any_allocation()
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(Gpt2);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        config["n_layer"] = 2147483647;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var run = ChildRun.Start(scratch.Dir, "predict", "--model", dir, "--ids", "1,2,3");
        Outcome.AssertCliError(run, Path.Combine(dir, "config.json"));
        Assert.Contains("n_layer", run.Stderr, StringComparison.Ordinal);
    }

    [SharedFact]
    public void A_corpus_symlinked_to_dev_zero_is_refused_with_bounded_memory()
    {
        using var scratch = new Scratch();
        string link = scratch.File("en_ewt-ud-train.conllu");
        File.CreateSymbolicLink(link, "/dev/zero");
        var run = ChildRun.Start(scratch.Dir, "extract", "--model", Gpt2, "--corpus", link, "--hooks", "mlp.hook_post", "--out", scratch.File("store"));
        Outcome.AssertCliError(run, link);
    }

    [SharedFact]
    public void A_brown_token_with_escape_sequences_reaches_the_terminal_escaped()
    {
        using var scratch = new Scratch();
        string file = scratch.File("ca01");
        File.WriteAllText(file, "\tThe/at \u001b]0;pwned\u0007\u001b[2J jury/nn\n");
        var run = ChildRun.Start(scratch.Dir, "extract", "--model", Gpt2, "--corpus", file, "--hooks", "mlp.hook_post", "--out", scratch.File("store"));
        Outcome.AssertCliError(run, file);
        Assert.DoesNotContain('\u001b', run.Stderr + run.Stdout);
        Assert.Contains("\\u001B]0;pwned", run.Stderr, StringComparison.Ordinal);
    }

    [SharedFact]
    public void Extract_refuses_a_task_no_word_has()
    {
        using var scratch = new Scratch();
        var run = ChildRun.Start(scratch.Dir, "extract", "--model", Gpt2, "--corpus", EwtDev, "--task", "nonsense", "--hooks", "mlp.hook_post", "--out", scratch.File("store"));
        Outcome.AssertCliError(run, EwtDev);
        Assert.Contains("nonsense", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(scratch.File("store")), "the store was started anyway");
    }

    /// <summary>An empty or root output path was an unexpected ArgumentException ('/' trimmed to '',
    /// then Path.GetFullPath("")); each is now one error line naming what to give.</summary>
    [SharedFact]
    public void Empty_or_root_output_folders_are_one_clear_error()
    {
        using var scratch = new Scratch();
        var extract = ChildRun.Start(scratch.Dir, "extract", "--model", Gpt2, "--corpus", EwtDev, "--hooks", "mlp.hook_post", "--out", "");
        Outcome.AssertCliError(extract, "--out");
        var reproduce = ChildRun.Start(scratch.Dir, "reproduce", "--model", Gpt2, "--corpus", EwtDev, "--out", "/");
        Outcome.AssertCliError(reproduce, "root of a file system");
        var report = ChildRun.Start(scratch.Dir, "report", "");
        Outcome.AssertCliError(report, "no folder was given");
    }

    /// <summary>A silo's empty --store-dir was Path.GetFullPath's exception, a port out of range Orleans'.</summary>
    [Theory]
    [InlineData("--store-dir", "", "--store-dir")]
    [InlineData("--port", "0", "1–65535")]
    [InlineData("--port", "65535", "--gateway-port 65536")]
    [InlineData("--gateway-port", "11111", "is the silo port")]
    public void Silo_options_out_of_range_are_one_clear_error_before_any_connection(string option, string value, string named)
    {
        using var scratch = new Scratch();
        var run = ChildRun.Start(scratch.Dir, "cluster", "silo", "--redis", "127.0.0.1:1", option, value);
        Outcome.AssertCliError(run, named);
        Assert.DoesNotContain("Redis", run.Stderr, StringComparison.Ordinal);   // refused before connecting
    }

    [SharedFact]
    public void A_10_MB_yaml_value_never_becomes_a_10_MB_line()
    {
        using var scratch = new Scratch();
        string file = Yaml(scratch, "model: " + new string('x', 10_000_000));
        var run = ChildRun.Start(scratch.Dir, "run", file);
        Outcome.AssertCliError(run, file);
        Assert.True(run.Stderr.Length < 4000, $"{run.Stderr.Length} characters on stderr");
    }

    [SharedFact]
    public void A_forged_checkpoint_is_one_expected_error_and_verbose_shows_where_it_was_raised()
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(Gpt2);
        string file = Path.Combine(dir, "model.safetensors");
        var forge = new SafetensorsForge(file);
        forge.Data = [.. forge.Data, 0, 0, 0, 0];
        File.WriteAllBytes(file, forge.Build());
        string yaml = Yaml(scratch, $"model: {dir}");

        var plain = ChildRun.Start(scratch.Dir, "run", yaml);
        Outcome.AssertCliError(plain, file);
        Assert.Contains("trailing bytes", plain.Stderr, StringComparison.Ordinal);

        // --verbose: the original exception and the frames of the loader that raised it, not only RunCommand.Run.
        var verbose = ChildRun.Start(scratch.Dir, "--verbose", "run", yaml);
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("ModelLoadException", verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("SafetensorsHeader", verbose.Stderr, StringComparison.Ordinal);
    }

    [SharedFact]
    public void Corpus_format_brown_on_a_conllu_file_stops_the_run_before_any_work()
    {
        using var scratch = new Scratch();
        string file = scratch.File("analysis.yaml");
        File.WriteAllText(file, $"""
            model: {Gpt2}
            corpus:
              path: {EwtDev}
              format: brown
            task: upos
            layers: [1]
            rankings: [probeless]
            probes: [linear-probe]
            k_grid: [1]
            output: out
            """);
        var run = ChildRun.Start(scratch.Dir, "run", file);
        Outcome.AssertCliError(run, file);
        Assert.Contains("corpus.format", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(scratch.File("out")));
    }
}

/// <summary><c>bench probes</c> inside a downloaded tree that carries its own
/// scripts/bench/neurox_linear_probe.py must run the script shipped next to the executable.</summary>
public sealed class BenchScriptTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Bench_probes_runs_the_shipped_script_not_one_in_the_working_tree()
    {
        using var scratch = new Scratch();
        string canary = scratch.File("canary");
        Directory.CreateDirectory(scratch.File("scripts/bench"));
        File.WriteAllText(scratch.File("scripts/bench/neurox_linear_probe.py"), $"open({System.Text.Json.JsonSerializer.Serialize(canary)}, 'w').write('ran')\n");
        // A stand-in python that records which script it was asked to run, then fails.
        string python = scratch.File("python");
        string argv = scratch.File("argv.txt");
        File.WriteAllText(python, $"#!/bin/sh\necho \"$1\" >> '{argv}'\nexit 3\n");
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Our own trainer runs first: allow it more than the 30 s of a loader case on a loaded machine.
        var run = ChildRun.Start(scratch.Dir, TimeSpan.FromMinutes(3), "bench", "probes", "--quick", "--python", python);
        Assert.False(run.TimedOut, run.Stderr);
        Assert.False(File.Exists(canary), "the working tree's script ran");
        Assert.True(File.Exists(argv), $"the stand-in python was never started\n{run.Stderr}");
        string shipped = Path.Combine(Path.GetDirectoryName(ChildRun.Executable)!, "bench", "Probes", "neurox_linear_probe.py");
        Assert.All(File.ReadAllLines(argv), line => Assert.Equal(shipped, line));
        Assert.True(File.Exists(shipped));
    }
}
