using NeuronHost.Benchmarks.KernelTable;

namespace NeuronHost.Benchmarks.Tests;

/// <summary><c>bench kernels</c> reads its arguments raw: --help once started the whole table
/// (minutes at the sizes), and a misspelt option ran it with defaults.</summary>
public sealed class RawArgumentsTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--quick --help")]
    public void Help_prints_the_usage_and_runs_nothing(string line)
    {
        var (code, output, error) = Kernels(line);
        Assert.Equal(0, code);
        Assert.StartsWith("neuronhost bench kernels [--quick]", output.Trim());
        Assert.Contains("--only", output);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("--quik", "error: unknown argument '--quik' (usage: neuronhost bench kernels [--quick]")]
    [InlineData("--quick --threads", "error: --threads needs a value")]
    [InlineData("--threads two", "error: --threads 'two' is not a positive whole number")]
    [InlineData("--rounds 0", "error: --rounds '0' is not a positive whole number")]
    [InlineData("--rounds -3", "error: --rounds '-3' is not a positive whole number")]
    [InlineData("--quick --rounds 3", "error: --rounds 3: the table times at least 5 interleaved rounds")]
    [InlineData("--only histogram", "error: --only 'histogram' is not a kernel group (moments, top, histograms, edit, correlation, sgemm)")]
    [InlineData("--only top,,sgem", "error: --only 'sgem' is not a kernel group")]
    public void A_bad_argument_is_one_error_line_and_runs_nothing(string line, string expected)
    {
        var (code, output, error) = Kernels(line);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(expected, lines[0]);
    }

    private static (int Code, string Output, string Error) Kernels(string line)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TableRunner.Command(line.Split(' '), output, error);
        return (code, output.ToString(), error.ToString());
    }
}
