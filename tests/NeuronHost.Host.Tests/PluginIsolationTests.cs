using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Cli;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>Bad plugins of every kind run beside good ones on a real store (gpt2-mini-brown on
/// EWT sentences): each failure is named with its kind and reason, the good plugins' results are
/// saved, the exit code is 4 ("completed with plugin failures"), and --json output stays JSON
/// even when a plugin prints 200,000 lines. SIGINT during a plugin that ignores cancellation ends
/// the process within 2 s and keeps the finished rankings.</summary>
[Collection(MisbehavingPluginsCollection.Name)]
public sealed class PluginIsolationTests(MisbehavingPluginsFixture bad, ITestOutputHelper output)
{
    private static readonly string BuiltIn = BuiltPluginsFixture.BuiltInPlugins;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, Program.Commands, stdout, stderr, new CliContext { OnlyCommandLinePlugins = true });
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string OutDir(string name) => Path.Combine(bad.Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);

    /// <summary>Each bad ranking → the words that must appear in its failure reason.</summary>
    public static readonly Dictionary<string, string[]> BadRankings = new()
    {
        ["throwing-ranking"] = ["threw InvalidOperationException", "ranking exploded on purpose"],
        ["hanging-ranking"] = ["did not finish within its time limit of 40 s"],
        ["overflow-ranking"] = ["worker process", "Stack overflow"],
        ["exit-ranking"] = ["worker process exited with code 3"],
        ["native-crash-ranking"] = ["worker process crashed (SIGSEGV)"],
        ["hog-ranking"] = ["OutOfMemoryException"],
        ["nan-ranking"] = ["has score NaN", "scores must be finite"],
        ["duplicate-ranking"] = ["column 7", "appears twice"],
        ["out-of-range-ranking"] = ["refers to column", "outside 0..1023"],
        ["short-ranking"] = ["ranks only 2 of the 1024 neurons, fewer than the largest k (10)"],
    };

    public static readonly Dictionary<string, string[]> BadProbes = new()
    {
        ["throwing-probe"] = ["threw InvalidOperationException", "probe exploded on purpose"],
        ["wrong-length-probe"] = ["predicted", "labels for the", "tokens of the train split"],
        ["unknown-class-probe"] = ["predicted class 99 for token 0 of the train split"],
    };

    [SharedFact]
    public void Rank_survives_every_bad_ranking_and_probe_and_saves_the_good_results()
    {
        string outDir = OutDir("rank");
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Run(["rank", bad.Store, "--plugins", BuiltIn, "--plugins", bad.Plugins,
            "--rankings", "probeless", .. BadRankings.Keys, "chatty-ranking", "random",
            "--probes", "linear-probe", .. BadProbes.Keys, "--k", "1", "5", "10",
            "--plugin-timeout", "40", "--plugin-memory", "300", "--out", outDir, "--json"]);
        output.WriteLine($"rank took {clock.Elapsed.TotalSeconds:0} s; stderr:\n{(stderr.Length > 8000 ? stderr[..8000] : stderr)}");

        Assert.Equal(4, code);
        // stdout is exactly one JSON document, the 200,000 lines of chatty-ranking are not in it.
        using var doc = JsonDocument.Parse(stdout);
        Assert.DoesNotContain("chatty line", stdout);
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, "grid.json")).Trim(), stdout.Trim());
        var root = doc.RootElement;
        Assert.Equal("complete with plugin failures", root.GetProperty("status").GetString());

        var failures = root.GetProperty("failures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("plugin").GetString()!, f => (Kind: f.GetProperty("kind").GetString(), Message: f.GetProperty("message").GetString()!));
        Assert.Equal(BadRankings.Keys.Concat(BadProbes.Keys).Order(), failures.Keys.Order());
        foreach (var (plugin, words) in BadRankings)
        {
            Assert.Equal("ranking", failures[plugin].Kind);
            foreach (var w in words) Assert.True(failures[plugin].Message.Contains(w), $"{plugin}: '{failures[plugin].Message}' lacks '{w}'");
            Assert.Contains($"FAILED ranking '{plugin}': ", stderr);
        }
        foreach (var (plugin, words) in BadProbes)
        {
            Assert.Equal("probe", failures[plugin].Kind);
            foreach (var w in words) Assert.True(failures[plugin].Message.Contains(w), $"{plugin}: '{failures[plugin].Message}' lacks '{w}'");
        }

        // The good rankings (chatty's included) are saved and evaluated by the good probe.
        var rankings = root.GetProperty("rankings").EnumerateArray().Select(r => r.GetProperty("method").GetString()).ToList();
        Assert.Equal(["probeless", "chatty-ranking", "random"], rankings);
        var cells = root.GetProperty("cells").EnumerateArray().ToList();
        Assert.All(cells, c => Assert.Equal("linear-probe", c.GetProperty("probe").GetString()));
        // probeless and chatty: top + bottom at 3 k each; the random baseline's cells besides.
        Assert.Equal(4 * 3, cells.Count(c => c.GetProperty("ranking").GetString() != "random"));
        Assert.True(cells.Count(c => c.GetProperty("ranking").GetString() == "random") >= 3);
        // Probeless' top 10 beat chance by far on UPOS (17 classes; the majority class is ~17 %).
        var top10 = cells.Single(c => c.GetProperty("ranking").GetString() == "probeless" && c.GetProperty("selection").GetString() == "top" && c.GetProperty("k").GetInt32() == 10);
        double majority = root.GetProperty("majorityBaseline").GetProperty("test").GetDouble();
        Assert.True(top10.GetProperty("task").GetProperty("test").GetDouble() > majority + 0.1);

        // Plugin output and context.Log lines went to stderr, bounded.
        Assert.Contains("chatty-ranking: chatty says hello through context.Log", stderr);
        Assert.Contains("chatty-ranking (stdout): chatty line 0 {not json", stderr);
        Assert.Contains("more line(s) of plugin output not shown", stderr);
        Assert.True(stderr.Split('\n').Length < 2000, $"stderr has {stderr.Split('\n').Length} lines");
    }

    [SharedFact]
    public void Run_records_a_failure_of_each_kind_and_saves_the_rest_in_results_json_and_the_report()
    {
        string outDir = OutDir("run");
        string yaml = Path.Combine(bad.Root, $"analysis-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {bad.Conllu}
              format: conllu
            task:
              name: upos
            layers: [1]
            hook: mlp.hook_post
            store: {bad.Store}
            rankings:
              - plugin: probeless
              - plugin: throwing-ranking
            probes:
              - plugin: linear-probe
              - plugin: throwing-probe
            interventions:
              - plugin: ablation
                parameters:
                  ks: "1,5"
                  max-sentences: 20
              - plugin: throwing-intervention
            k_grid: [1, 5]
            top_contexts: 0
            plugin_timeout: 600
            output: {outDir}
            seed: 1
            """);
        var (code, stdout, stderr) = Run("run", yaml, "--plugins", BuiltIn, "--plugins", bad.Plugins, "--json");
        output.WriteLine(stderr);
        Assert.Equal(4, code);
        using var summary = JsonDocument.Parse(stdout);
        Assert.Equal("complete", summary.RootElement.GetProperty("status").GetString());

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var failures = results.RootElement.GetProperty("pluginFailures").EnumerateArray()
            .Select(f => (f.GetProperty("plugin").GetString(), f.GetProperty("kind").GetString(), f.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([("throwing-ranking", "ranking"), ("throwing-probe", "probe"), ("throwing-intervention", "intervention")],
            failures.Select(f => (f.Item1, f.Item2)));
        Assert.Contains("ranking exploded on purpose", failures[0].Item3);
        Assert.Contains("probe exploded on purpose", failures[1].Item3);
        Assert.Contains("intervention exploded on purpose", failures[2].Item3);

        // The good plugins' results are all there.
        Assert.Equal(["probeless"], results.RootElement.GetProperty("rankings").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.NotEmpty(results.RootElement.GetProperty("accuracy").EnumerateArray());
        Assert.All(results.RootElement.GetProperty("accuracy").EnumerateArray(), a => Assert.Equal("linear-probe", a.GetProperty("probe").GetString()));
        Assert.Equal(["ablation"], results.RootElement.GetProperty("interventions").EnumerateArray().Select(r => r.GetProperty("method").GetString()));

        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Plugin failures", report);
        Assert.Contains("intervention exploded on purpose", report);
        Assert.Contains("warning: intervention 'throwing-intervention' failed: threw InvalidOperationException: intervention exploded on purpose", stderr);
    }

    /// <summary>Each bad intervention → the words that must appear in its failure reason.</summary>
    public static readonly Dictionary<string, string[]> BadInterventions = new()
    {
        ["throwing-intervention"] = ["threw InvalidOperationException", "intervention exploded on purpose"],
        ["hanging-intervention"] = ["did not finish within its time limit of 90 s"],
        ["overflow-intervention"] = ["worker process", "Stack overflow"],
        ["exit-intervention"] = ["worker process exited with code 3"],
        ["native-crash-intervention"] = ["worker process crashed (SIGSEGV)"],
        ["hog-intervention"] = ["OutOfMemoryException"],
    };

    private string InterventionsYaml(string outDir, string interventions, string probes = "  - plugin: linear-probe") => $"""
        model: {SharedAssets.Model("gpt2-mini-brown")}
        corpus:
          path: {bad.Conllu}
          format: conllu
        task:
          name: upos
        layers: [1]
        hook: mlp.hook_post
        store: {bad.Store}
        rankings:
          - plugin: probeless
        probes:
        {probes}
        interventions:
        {interventions}
        k_grid: [1, 5]
        top_contexts: 0
        output: {outDir}
        seed: 1
        """;

    [SharedFact]
    public void Run_survives_every_bad_intervention_in_its_worker_and_saves_the_good_ones()
    {
        string outDir = OutDir("run-interventions");
        string yaml = Path.Combine(bad.Root, $"analysis-{Guid.NewGuid():N}.yaml");
        string interventions = string.Join("\n", new[] { "ablation", "probe-reading-intervention" }.Concat(BadInterventions.Keys)
            .Select(p => p == "ablation" ? "  - plugin: ablation\n    parameters:\n      ks: \"1,5\"\n      max-sentences: 20" : $"  - plugin: {p}"));
        File.WriteAllText(yaml, InterventionsYaml(outDir, interventions));
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Run("run", yaml, "--plugins", BuiltIn, "--plugins", bad.Plugins, "--json",
            "--plugin-timeout", "90", "--plugin-memory", "300");
        output.WriteLine($"run took {clock.Elapsed.TotalSeconds:0} s; stderr:\n{stderr}");

        Assert.Equal(4, code);
        using var summary = JsonDocument.Parse(stdout);
        Assert.Equal("complete", summary.RootElement.GetProperty("status").GetString());
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var failures = results.RootElement.GetProperty("pluginFailures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("plugin").GetString()!, f => (Kind: f.GetProperty("kind").GetString(), Reason: f.GetProperty("reason").GetString()!));
        Assert.Equal(BadInterventions.Keys.Order(), failures.Keys.Order());
        foreach (var (plugin, words) in BadInterventions)
        {
            Assert.Equal("intervention", failures[plugin].Kind);
            foreach (var w in words) Assert.True(failures[plugin].Reason.Contains(w), $"{plugin}: '{failures[plugin].Reason}' lacks '{w}'");
            Assert.Contains($"warning: intervention '{plugin}' failed: ", stderr);
        }

        // The host survived all six and kept the good interventions' results.
        var done = results.RootElement.GetProperty("interventions").EnumerateArray().ToDictionary(r => r.GetProperty("method").GetString()!);
        Assert.Equal(["ablation", "probe-reading-intervention"], done.Keys);
        Assert.Equal(["probeless"], results.RootElement.GetProperty("rankings").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.NotEmpty(results.RootElement.GetProperty("accuracy").EnumerateArray());

        // What the worker received: the model (vocabulary from its config.json), the one ranking, and
        // a probe trained there on all 1024 neurons that beats the majority class on UPOS by far.
        var reading = done["probe-reading-intervention"].GetProperty("summary");
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedAssets.Model("gpt2-mini-brown"), "config.json"))))
            Assert.Equal(config.RootElement.GetProperty("vocab_size").GetInt32(), reading.GetProperty("vocab").GetDouble());
        Assert.Equal(1, reading.GetProperty("rankings").GetDouble());
        Assert.True(reading.GetProperty("sentences").GetDouble() > 0);
        double probeAccuracy = reading.GetProperty("probe_accuracy").GetDouble();
        double majority = MajorityShare(results.RootElement);
        Assert.True(probeAccuracy > majority + 0.2 && probeAccuracy <= 1, $"probe accuracy {probeAccuracy}, majority class {majority}");
        // Ablation re-evaluated the probe too.
        Assert.True(done["ablation"].GetProperty("summary").TryGetProperty("clean_probe_accuracy", out _));

        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Plugin failures", report);
        foreach (var plugin in BadInterventions.Keys) Assert.Contains(plugin, report);
    }

    /// <summary>The share of the most frequent class among the test split's labels (results.json's
    /// oracle entry): the level a probe must beat.</summary>
    private static double MajorityShare(JsonElement results) =>
        results.GetProperty("oracle").EnumerateArray().Select(o => o.GetProperty("majorityBaseline").GetDouble()).First();

    [SharedFact]
    public void Ctrl_c_during_an_intervention_that_ignores_cancellation_ends_within_2_s_and_keeps_finished_results()
    {
        string outDir = OutDir("sigint-run");
        string yaml = Path.Combine(bad.Root, $"analysis-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(yaml, InterventionsYaml(outDir,
            "  - plugin: ablation\n    parameters:\n      ks: \"1\"\n      max-sentences: 5\n  - plugin: hanging-intervention"));
        var (code, _, clock) = Interrupted(["run", yaml, "--plugins", BuiltIn, "--plugins", bad.Plugins, "--json"], "intervention spinning forever");
        Assert.True(clock < TimeSpan.FromSeconds(2), $"took {clock.TotalSeconds:0.0} s to stop");
        Assert.Equal(130, code);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal("cancelled", results.RootElement.GetProperty("status").GetString());
        Assert.Equal(["probeless"], results.RootElement.GetProperty("rankings").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["ablation"], results.RootElement.GetProperty("interventions").EnumerateArray().Select(r => r.GetProperty("method").GetString()));
        // The report is the full one or, when rendering missed its budget, the short page that says how to render it.
        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        output.WriteLine(report.Contains("<svg") ? "full report written" : "short report written");
        Assert.True(report.Contains("<svg") || report.Contains("neuronhost report"), report[..Math.Min(report.Length, 400)]);
    }

    [SharedFact]
    public void Rank_takes_plugin_parameters_and_names_a_bad_one()
    {
        var (code, _, stderr) = Run("rank", bad.Store, "--plugins", BuiltIn, "--rankings", "probeless", "--probes", "linear-probe",
            "--k", "1", "--param", "probeless.no-such-parameter=3", "--out", OutDir("param"));
        Assert.Equal(1, code);
        Assert.Contains("no-such-parameter", stderr);
        Assert.Contains("probeless", stderr);

        var (code2, _, stderr2) = Run("rank", bad.Store, "--plugins", BuiltIn, "--rankings", "probeless", "--probes", "linear-probe",
            "--k", "1", "--param", "random.seed=3", "--out", OutDir("param"));
        Assert.Equal(1, code2);
        Assert.Contains("'random' is not one of this command's rankings or probes", stderr2);
    }

    [SharedFact]
    public void Ctrl_c_during_a_plugin_that_ignores_cancellation_ends_within_2_s_and_keeps_finished_rankings()
    {
        string outDir = OutDir("sigint");
        var (code, stdout, clock) = Interrupted(["rank", bad.Store, "--plugins", bad.Plugins, "--rankings", "probeless", "hanging-ranking",
            "--probes", "linear-probe", "--k", "1", "--out", outDir, "--json"], "spinning forever");
        Assert.True(clock < TimeSpan.FromSeconds(2), $"took {clock.TotalSeconds:0.0} s to stop");
        Assert.Equal(130, code);
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "grid.json")));
        Assert.Equal("cancelled", grid.RootElement.GetProperty("status").GetString());
        Assert.Equal(["probeless"], grid.RootElement.GetProperty("rankings").EnumerateArray().Select(r => r.GetProperty("method").GetString()));
        using var printed = JsonDocument.Parse(stdout);
    }

    /// <summary>Starts the built neuronhost with <paramref name="args"/>, waits until stderr shows
    /// <paramref name="signature"/> (the plugin is spinning), sends SIGINT a second later and
    /// returns the exit code, stdout and the time from SIGINT to exit.</summary>
    private (int Code, string Stdout, TimeSpan SinceSigint) Interrupted(string[] args, string signature)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(bad.Root, "no-config.json");
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        using var p = new Process { StartInfo = psi };
        var log = new System.Text.StringBuilder();
        var spinning = new TaskCompletionSource();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
            if (e.Data.Contains(signature)) spinning.TrySetResult();
        };
        var stdout = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.Start();
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        try
        {
            Assert.True(spinning.Task.Wait(TimeSpan.FromMinutes(5)), $"the hanging plugin never started:\n{log}");
            Thread.Sleep(1000);
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, Signal.Interrupt(p.Id));
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(10)), $"still running 10 s after SIGINT:\n{log}");
            clock.Stop();
            p.WaitForExit();
            output.WriteLine($"exited {clock.Elapsed.TotalMilliseconds:0} ms after SIGINT; stderr:\n{log}");
            return (p.ExitCode, stdout.ToString(), clock.Elapsed);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>SIGINT straight from this process (starting `kill` would add its own start-up to the
/// time measured).</summary>
internal static partial class Signal
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    public static int Interrupt(int pid) => Kill(pid, 2);
}
