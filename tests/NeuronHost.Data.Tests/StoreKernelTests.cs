using NeuronHost.Data.Store;
using NeuronHost.Kernels.Cpu;

namespace NeuronHost.Data.Tests;

/// <summary>Stores fed to the real CPU kernels: the kernels group many small blocks at once, so
/// converted (float16) and gathered blocks must stay valid while the group is processed.</summary>
public class StoreKernelTests
{
    [Theory]
    [InlineData(StoreDType.Float32, 16)]
    [InlineData(StoreDType.Float16, 16)]
    [InlineData(StoreDType.Float16, 1000)]
    public void CpuClassMomentsOverAStoreMatchAPlainPass(StoreDType dtype, int rowsPerShard)
    {
        var table = TestStores.Table(300, 10); // 3,000 rows
        var dir = TestStores.Write(table, TestStores.Manifest(table, [8, 8], dtype, rowsPerShard));
        using var store = ActivationStore.Open(dir);
        var labels = Enumerable.Range(0, (int)store.Rows).Select(r => r % 3).ToArray();
        var kernels = new CpuKernels(2);
        var fast = kernels.ClassMoments(store, labels, 3);
        // Reference: float64 sums over the closed-form values (rounded to float16 when stored so).
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 16; j++)
            {
                double sum = 0, sq = 0; int n = 0;
                for (int r = c; r < store.Rows; r += 3)
                {
                    double v = dtype == StoreDType.Float16 ? (float)(Half)TestStores.Value(r, j) : TestStores.Value(r, j);
                    sum += v; sq += v * v; n++;
                }
                double mean = sum / n;
                Assert.Equal(mean, fast.MeanOf(c)[j], 6);
                Assert.Equal(sq / n - mean * mean, fast.VarianceOf(c)[j], 5);
            }
        var plain = StreamingMoments.Compute(store, labels, 3);
        for (int i = 0; i < plain.Means.Length; i++) Assert.Equal(plain.Means[i], fast.Means[i], 9);

        // The same over a gathered row view (train split rows of class 1 only, every other one).
        var rows = Enumerable.Range(0, (int)store.Rows).Where(r => r % 6 == 1).Select(r => (long)r).ToArray();
        var view = store.SelectRows(rows);
        var viewMoments = kernels.ClassMoments(view, new int[rows.Length], 1);
        double expected = rows.Average(r => dtype == StoreDType.Float16 ? (float)(Half)TestStores.Value(r, 5) : (double)TestStores.Value(r, 5));
        Assert.Equal(expected, viewMoments.MeanOf(0)[5], 6);
        Directory.Delete(dir, true);
    }
}
