using NeuronHost.Data.Store;

namespace NeuronHost.Data.Tests;

/// <summary>The SDK promises that an <see cref="NeuronHost.Sdk.ActivationBlock"/> stays valid until
/// its matrix is disposed. Blocks that the store converts (float16) or gathers (row subsets) used to
/// come from a pool recycled after 64 MiB of newer reads; a plugin holding a block then read other
/// rows. Here a block is held across more than 128 MiB of reads and must still hold its own rows
/// (compared with the closed form the store was written from).</summary>
public sealed class BlockLifetimeTests
{
    /// <summary>How much newer data the old pool handed out before recycling a block's buffer.</summary>
    private const long BlockPoolLimit = 64L << 20;

    [Theory]
    [InlineData(StoreDType.Float16, false)]
    [InlineData(StoreDType.Float16, true)]
    [InlineData(StoreDType.Float32, true)]
    public void A_held_block_keeps_its_rows_after_more_than_64_MiB_of_newer_reads(StoreDType dtype, bool rowSubset)
    {
        // 4,096 columns × 512 rows per shard = 8 MiB of float32 per block; 10 shards = 80 MiB per pass.
        var table = TestStores.Table(sentences: 640, wordsPerSentence: 8);
        var dir = TestStores.Write(table, TestStores.Manifest(table, [2048, 2048], dtype, rowsPerShard: 512));
        using var store = ActivationStore.Open(dir);
        // Every row but each 7th: a subset that is not contiguous, so each block is gathered.
        var matrix = rowSubset
            ? store.SelectRows(Enumerable.Range(0, (int)store.Rows).Where(r => r % 7 != 3).Select(r => (long)r).ToArray())
            : store;
        long[] storeRows = ActivationStore.Locate(matrix)!.Rows ?? Enumerable.Range(0, (int)store.Rows).Select(r => (long)r).ToArray();

        var held = matrix.GetBlock(0);
        long bytesReadAfter = 0;
        for (int pass = 0; pass < 3; pass++)
            for (int b = 1; b < matrix.BlockCount; b++)
                bytesReadAfter += matrix.GetBlock(b).Data.Length * 4L;
        Assert.True(bytesReadAfter > 2 * BlockPoolLimit, $"only {bytesReadAfter >> 20} MiB read after the held block");

        var span = held.Span;
        for (int r = 0; r < held.Rows; r += 37)
            for (int c = 0; c < held.Columns; c += 101)
            {
                float expected = TestStores.Value(storeRows[held.FirstRow + r], c);
                if (dtype == StoreDType.Float16) expected = (float)(Half)expected;
                Assert.Equal(expected, span[r * held.Columns + c]);
            }
    }
}
