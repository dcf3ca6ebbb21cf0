using NeuronHost.Cli;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Output;
using NeuronHost.Host.Tests.Report;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>A run only ever replaces its own earlier output: a user's folder named by --out or
/// YAML <c>output:</c> survives untouched, and the refusal comes before any work.</summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-out-");
    public void Dispose() => temp.Delete(recursive: true);

    private string UserFolderWithThesis()
    {
        string dir = Path.Combine(temp.FullName, "mywork");
        Directory.CreateDirectory(Path.Combine(dir, "docs"));
        File.WriteAllText(Path.Combine(dir, "docs", "thesis.tex"), "\\chapter{Neurons}");
        return dir;
    }

    private static void AssertThesisIntact(string dir)
    {
        Assert.Equal("\\chapter{Neurons}", File.ReadAllText(Path.Combine(dir, "docs", "thesis.tex")));
        Assert.Equal(["docs"], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void A_users_folder_is_never_replaced_by_a_report()
    {
        string dir = UserFolderWithThesis();
        var e = Assert.Throws<OutputFolderException>(() => ReportFolder.Write(SampleResults.Create(), dir));
        Assert.Contains("mywork", e.Message);
        Assert.Contains("not a NeuronHost run folder", e.Message);
        AssertThesisIntact(dir);
        Assert.False(Directory.Exists(dir + ".partial"));
    }

    [Fact]
    public void A_users_folder_named_like_the_partial_folder_is_never_deleted()
    {
        string outDir = Path.Combine(temp.FullName, "run");
        string partial = UserFolderWithThesis();
        Directory.Move(partial, outDir + ".partial");
        Assert.Throws<OutputFolderException>(() => ReportFolder.Write(SampleResults.Create(), outDir));
        AssertThesisIntact(outDir + ".partial");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_earlier_run_folder_is_replaced_and_carries_the_marker()
    {
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(SampleResults.Create(), outDir);
        Assert.Equal("run", File.ReadAllLines(Path.Combine(outDir, OutputFolder.MarkerFile))[0]);
        File.WriteAllText(Path.Combine(outDir, "notes-from-last-time.txt"), "x"); // still ours by its marker
        ReportFolder.Write(SampleResults.Create(), outDir);
        Assert.False(File.Exists(Path.Combine(outDir, "notes-from-last-time.txt")));
        Assert.True(File.Exists(Path.Combine(outDir, "results.json")));
        Assert.Empty(Directory.GetDirectories(temp.FullName, "run.old-*"));
    }

    [Fact]
    public void An_unmarked_folder_from_before_the_marker_is_recognised_by_its_files_alone()
    {
        string outDir = Path.Combine(temp.FullName, "legacy");
        Directory.CreateDirectory(outDir);
        foreach (var f in new[] { "results.json", "report.html", "accuracy.csv", "timings.csv" }) File.WriteAllText(Path.Combine(outDir, f), "old");
        ReportFolder.Write(SampleResults.Create(), outDir);
        Assert.NotEqual("old", File.ReadAllText(Path.Combine(outDir, "results.json")));

        string mixed = Path.Combine(temp.FullName, "mixed");
        Directory.CreateDirectory(mixed);
        File.WriteAllText(Path.Combine(mixed, "results.json"), "old");
        File.WriteAllText(Path.Combine(mixed, "thesis.tex"), "mine");
        Assert.Throws<OutputFolderException>(() => ReportFolder.Write(SampleResults.Create(), mixed));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(mixed, "thesis.tex")));
    }

    [Fact]
    public void A_file_or_a_root_is_refused()
    {
        string file = Path.Combine(temp.FullName, "a-file");
        File.WriteAllText(file, "keep");
        Assert.Contains("is a file", OutputFolder.Problem(file, "run", ReportFolder.IsRunFile));
        Assert.Contains("root", OutputFolder.Problem("/", "run", ReportFolder.IsRunFile));
        Assert.Contains("is a file", OutputFolder.Problem(Path.Combine(file, "sub"), "run", ReportFolder.IsRunFile));
        Assert.Equal("keep", File.ReadAllText(file));
        // Through the run's check too: trimming "/" once left "" and an ArgumentException ("unexpected")
        // that closed the terminal UI while an output folder was being typed.
        foreach (var root in new[] { "/", "//" })
            Assert.Contains("root of a file system", Assert.Throws<OutputFolderException>(() => ReportFolder.CheckTarget(root)).Message);
        Assert.Contains("no folder was given", Assert.Throws<OutputFolderException>(() => ReportFolder.CheckTarget(" ")).Message);
    }

    [SharedFact]
    public void Run_with_out_naming_a_users_folder_refuses_before_any_work_and_keeps_it()
    {
        string dir = UserFolderWithThesis();
        string yaml = Path.Combine(temp.FullName, "analysis.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")}
              max_sentences: 20
            task:
              name: upos
            layers: [1]
            rankings:
              - plugin: probeless
            store: {Path.Combine(temp.FullName, "store")}
            output: {Path.Combine(temp.FullName, "unused")}
            """);
        foreach (var args in new[] { new[] { "run", yaml, "--out", dir, "--plugins", BuiltPluginsFixture.BuiltInPlugins } })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = CliApp.Run(args, Program.Commands, output, error, new CliContext { OnlyCommandLinePlugins = true });
            Assert.Equal(1, code);
            var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.Contains("mywork", line);
            Assert.DoesNotContain("Exception", line);
        }
        AssertThesisIntact(dir);
        Assert.False(Directory.Exists(Path.Combine(temp.FullName, "store")), "no extraction may start");
    }
}
