using System.Diagnostics;
using System.Text.RegularExpressions;
using NeuronHost.Cli.Commands;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The TUI in a real terminal (tmux, 80×24) on gpt2-mini-brown and 200 EWT sentences:
/// pick from the lists, run, see progress and the results; then batch mode on the YAML the
/// TUI saved must give the same results.</summary>
public sealed class TuiTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-tui-");
    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } }

    private static string Executable()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        return Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
    }

    /// <summary>Moves the cursor of a multi-selection list to <paramref name="item"/> and toggles it.</summary>
    private static void Toggle(Tmux tmux, string screen, ref int cursor, string item)
    {
        var items = screen.Split('\n').Select(l => Regex.Match(l, @"^[> ] \[[ X]\] (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        int target = items.IndexOf(item);
        Assert.True(target >= 0, $"'{item}' is not in the list:\n{screen}");
        for (; cursor < target; cursor++) tmux.Keys("Down");
        for (; cursor > target; cursor--) tmux.Keys("Up");
        tmux.Keys("Space");
    }

    [SharedFact]
    public async Task TuiRunsASmallAnalysisAndBatchModeReproducesIt()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        string exe = Executable();
        Assert.True(File.Exists(exe), $"{exe} is not built");
        string noConfig = Path.Combine(temp.FullName, "no-config.json");
        string command = $"env -u NEURONHOST_PLUGINS NEURONHOST_CONFIG='{noConfig}' '{exe}' tui --model-root '{SharedAssets.Model("")}' " +
            $"--corpus-root '{SharedAssets.Corpus("ud-english-ewt")}'; echo NEURONHOST-EXIT $?; sleep 60";
        using var tmux = new Tmux(temp.FullName, command);
        try
        {
            var s = tmux.WaitFor("Model (a Hugging Face folder)", "gpt2-mini-brown");
            Assert.StartsWith("> gpt2-mini-brown", s.Split('\n').First(l => l.Contains("gpt2-mini-brown")));
            tmux.Keys("Enter");
            s = tmux.WaitFor("Corpus", "en_ewt-ud-dev.conllu");
            Assert.StartsWith("> en_ewt-ud-dev.conllu", s.Split('\n').First(l => l.Contains("en_ewt-ud-dev.conllu")));
            tmux.Keys("Enter");
            tmux.WaitFor("Sentences to use"); tmux.Keys("Enter");         // 200
            tmux.WaitFor("Task (labels per word)", "> upos"); tmux.Keys("Enter");
            tmux.WaitFor("Drop classes"); tmux.Keys("Enter");            // 20
            tmux.WaitFor("Layers to analyse", "[X] layer 1"); tmux.Keys("Enter");
            tmux.WaitFor("Hook point", "> mlp.hook_post"); tmux.Keys("Enter");
            s = tmux.WaitFor("Ranking methods", "probeless");
            int cursor = 0;
            Toggle(tmux, s, ref cursor, "probeless");
            Toggle(tmux, tmux.Screen(), ref cursor, "random");
            tmux.Keys("Enter");
            s = tmux.WaitFor("Probes", "linear-probe");
            cursor = 0;
            Toggle(tmux, s, ref cursor, "linear-probe");
            tmux.Keys("Enter");
            // Interventions are listed only when such plugins are installed.
            s = tmux.WaitForMatch(TimeSpan.FromSeconds(30), @"Interventions \(space|Plugin parameters\?");
            if (s.Contains("Interventions (space")) tmux.Keys("Enter");
            tmux.WaitFor("Plugin parameters?"); tmux.Keys("Enter");     // defaults
            tmux.WaitFor("k grid"); tmux.Type("1,10,50"); tmux.Keys("Enter");
            tmux.WaitFor("Output folder"); tmux.Keys("Enter");
            tmux.WaitFor("Start?", "Save as analysis.yaml, then run"); tmux.Keys("Down", "Enter");
            tmux.WaitFor("Save as:"); tmux.Keys("Enter");

            // Live view: stage bars with percentages.
            s = tmux.WaitForMatch(TimeSpan.FromSeconds(120), @"extract\s+\S+\s+\d+% .*tokens");
            output.WriteLine("live view:\n" + s);
            Assert.Contains("Ctrl+C cancels", s);
            Assert.Contains("── log", s);
            // Resizing the terminal mid-run must not crash the live view.
            Tmux.Run("resize-window", "-t", tmux.Session, "-x", "50", "-y", "14");
            Thread.Sleep(1000);
            Tmux.Run("resize-window", "-t", tmux.Session, "-x", "80", "-y", "24");
            // Results: the accuracy table of the browser.
            s = tmux.WaitFor(TimeSpan.FromSeconds(300), "Results", "probeless", "linear-probe", "k=10", "all");
            output.WriteLine("results:\n" + s);
            Assert.Contains("complete", s);
            Assert.Matches(@"probeless\s+linear-probe\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}", s);
            tmux.Keys("Enter");                                           // Rankings
            tmux.WaitFor("Which ranking?"); tmux.Keys("Enter");           // probeless
            s = tmux.WaitFor("probeless: top neurons", "max-activating words", "mlp_post[");
            output.WriteLine("ranking:\n" + s);
            Assert.All(s.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"line wider than 80: {line}"));
            tmux.Keys("q");
        }
        catch
        {
            output.WriteLine("last screen:\n" + tmux.Screen());
            throw;
        }

        string tuiResults = Path.Combine(temp.FullName, "neuronhost-run", ReportFolder.ResultsFile);
        string yaml = Path.Combine(temp.FullName, "analysis.yaml");
        Assert.True(File.Exists(tuiResults));
        Assert.True(File.Exists(yaml));

        // Batch mode on the saved YAML, into another folder.
        string batchOut = Path.Combine(temp.FullName, "batch");
        var psi = new ProcessStartInfo(exe, ["run", yaml, "--out", batchOut, "--json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        psi.Environment["NEURONHOST_CONFIG"] = noConfig;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5))) await p.WaitForExitAsync(timeout.Token);
        string err = await stderr, json = await stdout;
        Assert.True(p.ExitCode == 0, $"batch run failed ({p.ExitCode}): {err}");
        Assert.Contains("\"status\": \"complete\"", json);
        Assert.Contains("\"stage\":\"rank and probe\"", err);   // --json: progress as JSON lines

        var a = ResultsJson.Load(tuiResults);
        var b = ResultsJson.Load(Path.Combine(batchOut, ReportFolder.ResultsFile));
        Assert.Equal(["probeless", "random"], a.Rankings.Select(r => r.Name));
        Assert.Equal(ResultsJson.Comparable(a), ResultsJson.Comparable(b));
    }

    [Fact]
    public async Task WithoutATerminalItSaysToUseBatchMode()
    {
        string exe = Executable();
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
