using System.Diagnostics;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>The plugin author's path end to end, as one slow test: pack NeuronHost.Sdk,
/// NeuronHost.Sdk.Testing and the template package into a private feed folder, install the
/// templates into a private template hive, create one plugin of each kind in a temporary folder
/// outside the repository, build and test each there with plain <c>dotnet build</c> and
/// <c>dotnet test</c> (a private NuGet package folder, so a stale NeuronHost.Sdk of the same
/// version cannot be picked up), and run all three in one <c>neuronhost run</c> on
/// gpt2-mini-brown and EWT sentences. Nothing is written to the user's template list or NuGet
/// configuration.</summary>
public sealed class TemplatePackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-templates-");
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(20); // a loaded 2-core machine

    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } catch (UnauthorizedAccessException) { } }

    [SharedFact]
    public void Templates_build_and_test_outside_the_repository_and_run_in_one_analysis()
    {
        string repo = SharedAssets.RepoRoot, root = temp.FullName;
        Assert.False(Path.GetFullPath(root).StartsWith(Path.GetFullPath(repo), StringComparison.Ordinal), "the temporary folder must be outside the repository");
        string feed = Path.Combine(root, "feed") + Path.DirectorySeparatorChar;
        string hive = Path.Combine(root, "template-hive");
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-packages"),
            // No build servers: a lingering one would hold this test's output pipes open.
            ["UseSharedCompilation"] = "false",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        };
        var userTemplates = UserTemplatePackages();
        var stopwatch = Stopwatch.StartNew();
        void Step(string what) => output.WriteLine($"{stopwatch.Elapsed.TotalSeconds,6:F0} s  {what}");

        // 1. Pack (building the Testing package packs the SDK it references too).
        foreach (var project in new[] { "kernels/NeuronHost.Sdk.Testing/NeuronHost.Sdk.Testing.csproj", "templates/NeuronHost.Templates.csproj" })
            DotnetBuild.Command(repo, ["build", project, "-c", "Release", $"-p:NeuronHostFeed={feed}", "-nologo", "-v:minimal"], environment, Slow);
        string version = $"{SdkVersion.Major}.{SdkVersion.Minor}.0";
        foreach (var package in new[] { "NeuronHost.Sdk", "NeuronHost.Sdk.Testing", "NeuronHost.Templates" })
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")), $"{package} {version} was not packed into {feed}");
        Step("packed");

        // 2. Install the templates into a private hive and create one plugin of each kind.
        DotnetBuild.Command(root, ["new", "install", Path.Combine(feed, $"NeuronHost.Templates.{version}.nupkg"), "--debug:custom-hive", hive], environment, Slow);
        var kinds = new[] { ("neuronhost-ranking", "NhRank", "nhrank-variance"), ("neuronhost-probe", "NhProbe", "nhprobe-centroid"), ("neuronhost-intervention", "NhZero", "nhzero-zero") };
        foreach (var (template, name, _) in kinds)
        {
            DotnetBuild.Command(root, ["new", template, "-n", name, "-o", Path.Combine(root, name), "--debug:custom-hive", hive], environment, Slow);
            // 3. Plain dotnet build and dotnet test in the new folder.
            DotnetBuild.Command(Path.Combine(root, name), ["build"], environment, Slow);
            var tests = DotnetBuild.Command(Path.Combine(root, name), ["test"], environment, Slow);
            Assert.Contains("Passed!", tests);
            Assert.False(File.Exists(Path.Combine(root, name, name, "bin", "Debug", "net10.0", "NeuronHost.Sdk.dll")), "the SDK must not be copied beside the plugin");
            Step($"{template}: built and tested");
        }
        Assert.Equal(userTemplates, UserTemplatePackages());

        // 4. All three in one analysis.
        string outDir = Path.Combine(root, "run"), yaml = Path.Combine(root, "analysis.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max_sentences: 120
            task:
              name: upos
              control: false
            layers: [1]
            hook: mlp.hook_post
            store: {Path.Combine(root, "store")}
            rankings: [nhrank-variance]
            probes: [nhprobe-centroid]
            interventions:
              - plugin: nhzero-zero
                parameters: {"{"} ks: "10,100", max_sentences: 20 {"}"}
            k_grid: [10, 100]
            output: {outDir}
            seed: 1
            """);
        var (code, stdout, stderr) = RunNeuronHost(["run", yaml,
            .. kinds.SelectMany(k => new[] { "--plugins", Path.Combine(root, k.Item2, k.Item2, "bin", "Debug", "net10.0") })]);
        Step("neuronhost run");
        Assert.True(code == 0, $"neuronhost run exited {code}:\n{stdout}\n{stderr}");

        var results = ResultsJson.Load(Path.Combine(outDir, "results.json"));
        var ranking = Assert.Single(results.Rankings);
        Assert.Equal("nhrank-variance", ranking.Plugin);
        Assert.Equal(1024, ranking.Neurons.Count); // every FFN neuron of block 1
        Assert.All(ranking.Neurons, n => Assert.True(n.Score >= 0, "a variance is never negative"));
        Assert.True(ranking.Neurons.Zip(ranking.Neurons.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");

        // The centroid probe on the 100 highest-variance neurons beats guessing uniformly among the classes.
        var probe = results.Accuracy.Single(a => a.Probe == "nhprobe-centroid" && a.Selection == Selection.Top && a.K == 100);
        double chance = 1.0 / results.Identity.Classes.Count;
        Assert.True(probe.TestAccuracy > chance, $"centroid probe test accuracy {probe.TestAccuracy} vs chance {chance}");

        // A trained LM predicts held-out text better than a uniform guess over its 8,192 tokens.
        var zero = results.Interventions.Single(i => i.Method == "nhzero-zero");
        Assert.InRange(zero.Summary["clean_lm_nll"], 0.5, Math.Log(8192));
        Assert.InRange(zero.Summary["sentences"], 1, 20); // the held-out split's sentences, at most max_sentences

        var report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        foreach (var (_, _, plugin) in kinds) Assert.Contains(plugin, report);
        Assert.Contains("zero_ablation", report);
    }

    /// <summary>The executable as built, with no user config and no plugins from the environment.</summary>
    private (int Code, string Out, string Err) RunNeuronHost(string[] arguments)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(temp.FullName, "no-config.json");
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Slow))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"neuronhost {string.Join(' ', arguments)} took more than {Slow.TotalMinutes} minutes");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The template packages in the user's own template hive (~/.templateengine).</summary>
    private static string[] UserTemplatePackages()
    {
        var folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".templateengine", "packages");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray() : [];
    }
}
