using NeuronHost.Benchmarks.Harness;
using NeuronHost.Benchmarks.KernelTable;
using Xunit;

namespace NeuronHost.Benchmarks.Tests;

/// <summary>A bench command's --out: checked before anything is timed, never a file the command did
/// not write, replaced whole.</summary>
public sealed class BenchOutputFileTests
{
    [Fact]
    public void A_file_the_command_did_not_write_is_refused_and_left_as_it_was()
    {
        string dir = Scratch.Dir("out");
        string notes = Path.Combine(dir, "notes.md");
        File.WriteAllText(notes, "my notes\n");
        Assert.Contains("this command did not write it", BenchOutputFile.Problem(notes, "# Benchmarks"));

        // bench kernels stops before it allocates or times anything: one line, exit 2
        var output = new StringWriter(); var error = new StringWriter();
        int code = TableRunner.Command(["--quick", "--out", notes], output, error);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --out {notes}: the file exists and this command did not write it", error.ToString());
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("my notes\n", File.ReadAllText(notes));

        // bench all likewise
        error = new StringWriter();
        code = BenchCommands.Root().Parse(["all", "--out", notes]).Invoke(new() { Output = new StringWriter(), Error = error });
        Assert.Equal(2, code);
        Assert.StartsWith("error: --out", error.ToString());
        Assert.Equal("my notes\n", File.ReadAllText(notes));
    }

    [Fact]
    public void A_new_file_or_the_commands_own_document_is_written_whole()
    {
        string dir = Scratch.Dir("out");
        string doc = Path.Combine(dir, "benchmarks.md");
        Assert.Null(BenchOutputFile.Problem(doc, "# Benchmarks"));
        BenchOutputFile.Write(doc, "# Benchmarks\n\nold\n");
        Assert.Null(BenchOutputFile.Problem(doc, "# Benchmarks"));
        BenchOutputFile.Write(doc, "# Benchmarks\n\nnew\n");
        Assert.Equal("# Benchmarks\n\nnew\n", File.ReadAllText(doc));
        Assert.Equal(["benchmarks.md"], Directory.GetFiles(dir).Select(Path.GetFileName));   // no temporary file left
    }

    [Theory]
    [InlineData("")]
    [InlineData("missing-folder/out.md")]
    [InlineData(".")]
    [InlineData("a\0b")]
    public void An_unwritable_target_is_one_line_before_anything_runs(string relative)
    {
        string dir = Scratch.Dir("out");
        string path = relative.Length == 0 ? "" : relative == "." ? dir : Path.Combine(dir, relative);
        var problem = BenchOutputFile.Problem(path, "# Benchmarks");
        Assert.NotNull(problem);
        Assert.StartsWith("--out", problem);
        Assert.DoesNotContain('\n', problem);
    }
}
