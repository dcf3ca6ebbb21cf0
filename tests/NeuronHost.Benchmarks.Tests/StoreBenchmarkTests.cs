using NeuronHost.Benchmarks.Store;
using NeuronHost.Data.Store;

namespace NeuronHost.Benchmarks.Tests;

public class StoreBenchmarkTests
{
    [Theory]
    [InlineData(StoreDType.Float32)]
    [InlineData(StoreDType.Float16)]
    public void SmallBenchStoreGivesTheClosedFormClassMeans(StoreDType dtype)
    {
        // The folder it is given is the user's: it holds their files, which must survive.
        var dir = Path.Combine(Scratch.Dir("bench"), "work");
        Directory.CreateDirectory(Path.Combine(dir, "docs"));
        File.WriteAllText(Path.Combine(dir, "docs", "thesis.tex"), "mine");
        var result = StoreBenchmark.Run(new StoreBenchOptions
        {
            Directory = dir, TargetBytes = 12L << 20, Columns = 256, Classes = 4, DType = dtype, RowsPerShard = 1000,
        });
        int bytes = dtype == StoreDType.Float16 ? 2 : 4;
        Assert.Equal((12L << 20) / (256 * bytes), result.Rows);
        Assert.Equal(result.Rows * 256 * bytes, result.StoreBytes);
        Assert.StartsWith(dir, result.StoreDirectory);
        Assert.False(Directory.Exists(result.StoreDirectory));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "docs", "thesis.tex")));
        Assert.Equal(["docs"], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).ToArray());
        var m = result.Moments;
        Assert.Equal(result.Rows, m.Counts.Sum());
        for (int c = 0; c < 4; c++)
        {
            double se = Math.Sqrt(1.0 / 3 / m.Counts[c]);
            for (int j = 0; j < 256; j += 17)
            {
                // value = 0.5·c + 0.1·(j mod 7) + U(−1, 1): mean as written, variance 1/3.
                Assert.InRange(m.MeanOf(c)[j] - (0.5 * c + 0.1 * (j % 7)), -6 * se - 2e-3, 6 * se + 2e-3);
                Assert.InRange(m.VarianceOf(c)[j], 1.0 / 3 - 0.05, 1.0 / 3 + 0.05);
            }
        }
        Assert.True(result.PeakRssMomentsBytes > 0);
        Assert.Contains("peak RSS", result.Describe());
    }
}
