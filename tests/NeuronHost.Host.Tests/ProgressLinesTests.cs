using System.Text;
using NeuronHost.Cli;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>Progress when output is not a terminal (nohup, CI, Slurm): timestamped lines on
/// standard error from the start of the work, never more than 10 s apart, with measured rates
/// only — for extract, rank and run on gpt2-mini-brown × EWT dev.</summary>
public sealed class ProgressLinesTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), $"neuronhost-progress-{Guid.NewGuid():N}");
    public ProgressLinesTests() => Directory.CreateDirectory(temp);
    public void Dispose() { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }

    /// <summary>A writer that notes when each line arrived.</summary>
    private sealed class TimedLines : TextWriter
    {
        private readonly StringBuilder current = new();
        public List<(DateTime At, string Line)> Lines { get; } = [];
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value)
        {
            lock (Lines)
            {
                if (value == '\n') { Lines.Add((DateTime.UtcNow, current.ToString().TrimEnd('\r'))); current.Clear(); }
                else current.Append(value);
            }
        }
    }

    private static (int Code, string Out, TimedLines Err, DateTime Start, DateTime End) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new TimedLines();
        var start = DateTime.UtcNow;
        int code = CliApp.Run([.. args, "--plugins", BuiltPluginsFixture.BuiltInPlugins], Program.Commands, output, error,
            new CliContext { OnlyCommandLinePlugins = true });
        return (code, output.ToString(), error, start, DateTime.UtcNow);
    }

    /// <summary>Progress lines are "[HH:mm:ss] stage: …"; the first comes at once, then none is more
    /// than 10 s after the previous one (2 s allowed for a machine this loaded).</summary>
    private static void AssertSteadyLines((int Code, string Out, TimedLines Err, DateTime Start, DateTime End) r, string command)
    {
        Assert.True(r.Code == 0, $"{command}: exit {r.Code}\n{string.Join('\n', r.Err.Lines.Select(l => l.Line))}");
        var progress = r.Err.Lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l.Line, @"^\[\d\d:\d\d:\d\d\] [^:]+: ")).ToList();
        Assert.True(progress.Count >= 2, $"{command}: {progress.Count} progress lines:\n{string.Join('\n', r.Err.Lines.Select(l => l.Line))}");
        var times = new[] { r.Start }.Concat(progress.Select(p => p.At)).Append(r.End).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Max() <= TimeSpan.FromSeconds(12), $"{command}: {gaps.Max().TotalSeconds:0.0} s without a line:\n{string.Join('\n', progress.Select(p => $"{p.At:HH:mm:ss.f} {p.Line}"))}");
        Assert.Contains(progress, p => p.Line.Contains(": done"));
        Assert.DoesNotContain(progress, p => p.Line.Contains(" 0 ") && p.Line.Contains("/s"));
        // No line printed twice in a row (the pipeline mirrors the grid's progress under its own stage).
        static string Numbers(string line) => System.Text.RegularExpressions.Regex.Replace(line[11..], @"^.*?: (?=done|\d+%)|, [0-9hms]+ elapsed| in [0-9hms]+", "");
        var numbers = progress.Select(p => Numbers(p.Line)).ToList();
        Assert.DoesNotContain(numbers.Zip(numbers.Skip(1)), pair => pair.First == pair.Second && pair.First.Contains('/'));
    }

    [SharedFact]
    public void Extract_rank_and_run_print_timestamped_progress_when_redirected()
    {
        string model = SharedAssets.Model("gpt2-mini-brown"), corpus = SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu");
        string store = Path.Combine(temp, "store");
        AssertSteadyLines(Run("extract", "--model", model, "--corpus", corpus, "--max-sentences", "400", "--task", "upos",
            "--hooks", "mlp.hook_post", "--out", store), "extract");
        AssertSteadyLines(Run("rank", store, "--min-count", "20", "--k", "1", "10", "100", "--out", Path.Combine(temp, "rank")), "rank");

        var config = new AnalysisConfig
        {
            ModelDir = model,
            Corpus = new CorpusConfig { Path = corpus, MaxSentences = 200 },
            Task = new TaskConfig { Name = "upos", MinClassCount = 20 },
            Layers = [1],
            Rankings = [new PluginUse { Plugin = "probeless" }],
            Probes = [new PluginUse { Plugin = "linear-probe", Parameters = new() { ["max-iterations"] = "50" } }],
            KGrid = [1, 10, 100],
            StoreDir = Path.Combine(temp, "run-store"),
            OutputDir = Path.Combine(temp, "run"),
        };
        string yaml = Path.Combine(temp, "analysis.yaml");
        File.WriteAllText(yaml, AnalysisYaml.Save(config));
        AssertSteadyLines(Run("run", yaml), "run");
    }

    [Fact]
    public void Quiet_prints_no_progress_and_json_prints_json_lines()
    {
        static (string Err, int Result) Work(params string[] flags)
        {
            var cli = new CliContext();
            var error = new StringWriter();
            var config = new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error };
            var root = new System.CommandLine.RootCommand { cli.JsonOption, cli.QuietOption };
            int result = 0;
            root.SetAction(p =>
            {
                result = CliProgress.Run(cli, p, progress =>
                {
                    for (int i = 0; i <= 4; i++) progress.Report(new ProgressReport("stage", i, 4, "steps"));
                    return 7;
                });
            });
            Assert.Equal(0, root.Parse(flags).Invoke(config));
            return (error.ToString(), result);
        }
        var quiet = Work("--quiet");
        Assert.Equal(7, quiet.Result);
        Assert.Equal("", quiet.Err);
        var json = Work("--json");
        var last = System.Text.Json.JsonDocument.Parse(json.Err.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("stage", last.GetProperty("stage").GetString());
        Assert.True(last.GetProperty("finished").GetBoolean());
        Assert.Equal(4, last.GetProperty("done").GetDouble());
        var plain = Work();
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\] stage: 0% 0/4 steps", plain.Err);
        Assert.Contains("stage: done, 4/4 steps in 0s", plain.Err);
    }

    [Fact]
    public void Rates_are_measured_before_an_eta_is_shown_and_small_rates_are_not_rounded_to_zero()
    {
        var tracker = new ProgressTracker();
        var first = tracker.Update(new ProgressReport("grid", 0, 300, "probes"));
        Assert.Null(first.Eta);
        Assert.Equal(0, first.Rate);
        var one = tracker.Update(new ProgressReport("grid", 1, 300, "probes"));
        Assert.Null(one.Eta);       // one step measures nothing
        Assert.Equal("0.25 probes/s", ProgressTracker.FormatRate(0.25, "probes"));
        Assert.Equal("0.0031 probes/s", ProgressTracker.FormatRate(0.0031, "probes"));
        Assert.Equal("3.4 probes/s", ProgressTracker.FormatRate(3.4, "probes"));
        Assert.Equal("12k tokens/s", ProgressTracker.FormatRate(12345, "tokens"));
    }
}
