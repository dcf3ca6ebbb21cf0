using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

public class ActivationStoreTests
{
    [Theory]
    [InlineData(StoreDType.Float32)]
    [InlineData(StoreDType.Float16)]
    public void WrittenValuesReadBackThroughMappedBlocks(StoreDType dtype)
    {
        var table = TestStores.Table(20, 9); // 180 rows
        var manifest = TestStores.Manifest(table, [5, 3], dtype, rowsPerShard: 32);
        var dir = TestStores.Write(table, manifest);
        using var store = ActivationStore.Open(dir, verifyHashes: true);
        Assert.Equal(180, store.Rows);
        Assert.Equal(8, store.Columns);
        Assert.Equal(6, store.BlockCount); // ceil(180 / 32)
        Assert.Equal(new NeuronRef("blocks.1.mlp.hook_post", 2), store.Neurons[7]);
        long row = 0;
        for (int b = 0; b < store.BlockCount; b++)
        {
            var block = store.GetBlock(b);
            Assert.Equal(row, block.FirstRow);
            for (int r = 0; r < block.Rows; r++, row++)
                for (int c = 0; c < 8; c++)
                {
                    float expected = TestStores.Value(row, c);
                    if (dtype == StoreDType.Float16) expected = (float)(Half)expected;
                    Assert.Equal(expected, block.Row(r)[c]);
                }
        }
        Assert.Equal(180, row);
        // Shard files are exactly rows × columns × bytes per value.
        Assert.Equal(32L * 8 * (dtype == StoreDType.Float16 ? 2 : 4), new FileInfo(Path.Combine(dir, "shard-00000.bin")).Length);
        Assert.Equal(20L * 8 * (dtype == StoreDType.Float16 ? 2 : 4), new FileInfo(Path.Combine(dir, "shard-00005.bin")).Length);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void RowViewsAndTaskDataSelectTheRightRows()
    {
        var table = TestStores.Table(30, 6);
        var dir = TestStores.Write(table, TestStores.Manifest(table, [4], StoreDType.Float32, rowsPerShard: 16));
        using var store = ActivationStore.Open(dir);
        var dev = store.SplitView("dev");
        Assert.Equal(3 * 6, dev.Rows);
        var dense = dev.ToArray();
        long devFirst = store.Manifest.Splits.Single(s => s.Name == "dev").FirstRow;
        for (int r = 0; r < dev.Rows; r++)
            for (int c = 0; c < 4; c++) Assert.Equal(TestStores.Value(devFirst + r, c), dense[r * 4 + c]);

        var data = StoreTaskData.Build(store, TaskSpec.Upos, new TaskOptions { MinCount = 1, Control = true });
        Assert.Equal(["DET", "NOUN", "VERB"], data.Data.ClassNames);
        Assert.Equal(24 * 6, data.Data.Train.Tokens);
        var rows = data.Task.Train.Rows;
        var gathered = data.Data.Train.Activations.GatherColumns([3, 1]);
        for (int i = 0; i < rows.Length; i += 5)
        {
            Assert.Equal(TestStores.Value(rows[i], 3), gathered[i * 2]);
            Assert.Equal(TestStores.Value(rows[i], 1), gathered[i * 2 + 1]);
        }
        Assert.NotNull(data.Control);
        Assert.Equal(data.Data.Train.Tokens, data.Control!.Train.Tokens);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData(StoreDType.Float32)]
    [InlineData(StoreDType.Float16)]
    public void InterruptedWriteResumesByteIdentical(StoreDType dtype)
    {
        var table = TestStores.Table(25, 8); // 200 rows
        var manifest = TestStores.Manifest(table, [6, 2], dtype, rowsPerShard: 24);
        var oneShot = TestStores.Write(table, manifest);

        var dir = TestPaths.TempDir("resume");
        using (var writer = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)))
        {
            Assert.Equal(StoreOpenState.Created, writer.State);
            TestStores.Append(writer, 0, 60); // 2 finished shards + 12 buffered rows, then "killed"
            Assert.Equal(2, writer.ShardsWritten);
        }
        // What a kill can leave behind: a half-written .tmp and a shard renamed before the manifest listed it.
        File.WriteAllBytes(Path.Combine(dir, "shard-00002.bin.tmp"), new byte[17]);
        File.WriteAllBytes(Path.Combine(dir, "shard-00003.bin"), new byte[5]);
        var finished = File.ReadAllBytes(Path.Combine(dir, "shard-00000.bin"));
        using (var writer = StoreWriter.Open(dir, manifest with { RowsPerShard = 50 }, TokenSidecar.ToBytes(table)))
        {
            Assert.Equal(StoreOpenState.Resumed, writer.State);
            Assert.Equal(48, writer.NextRow);
            Assert.Equal(24, writer.Manifest.RowsPerShard); // the store's own shard size wins
            TestStores.Append(writer, 40, 200); // recomputation restarts before NextRow; those rows are skipped
            writer.Finish();
        }
        Assert.Equal(finished, File.ReadAllBytes(Path.Combine(dir, "shard-00000.bin")));
        var a = TestStores.Files(oneShot); var b = TestStores.Files(dir);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs");

        using (var again = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)))
            Assert.Equal(StoreOpenState.Reused, again.State);
        Directory.Delete(dir, true); Directory.Delete(oneShot, true);
    }

    [Fact]
    public void StoreFromAnotherModelIsRefusedUnlessForced()
    {
        var table = TestStores.Table(5, 4);
        var manifest = TestStores.Manifest(table, [3], StoreDType.Float32, 8);
        var dir = TestStores.Write(table, manifest);
        var before = TestStores.Files(dir);
        var other = manifest with { Model = manifest.Model with { Identity = "other-model@2" } };
        var e = Assert.Throws<StoreMismatchException>(() => StoreWriter.Open(dir, other, TokenSidecar.ToBytes(table)));
        Assert.Contains("manifest.json", e.Message);
        Assert.Contains("other-model@2", e.Message);
        Assert.Contains("test-model@1", e.Message);
        var after = TestStores.Files(dir);
        foreach (var (name, bytes) in before) Assert.Equal(bytes, after[name]); // nothing touched

        e = Assert.Throws<StoreMismatchException>(() => StoreWriter.Open(dir, manifest with { DType = StoreDType.Float16 }, TokenSidecar.ToBytes(table)));
        Assert.Contains("dtype", e.Message);

        using var store = ActivationStore.Open(dir);
        var m = Assert.Throws<StoreMismatchException>(() => store.EnsureModel("other-model@2"));
        Assert.Contains("manifest.json", m.Message);

        using (var forced = StoreWriter.Open(dir, other, TokenSidecar.ToBytes(table), force: true))
        {
            Assert.Equal(StoreOpenState.Created, forced.State);
            Assert.False(File.Exists(Path.Combine(dir, "shard-00000.bin")));
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TruncatedOrAlteredShardIsNamed()
    {
        var table = TestStores.Table(10, 5);
        var manifest = TestStores.Manifest(table, [4], StoreDType.Float32, 16);
        var dir = TestStores.Write(table, manifest);
        string shard = Path.Combine(dir, "shard-00001.bin");
        var bytes = File.ReadAllBytes(shard);

        bytes[10] ^= 0x40;
        File.WriteAllBytes(shard, bytes);
        using (ActivationStore.Open(dir, verifyHashes: false)) { } // lengths fine
        var e = Assert.Throws<StoreFormatException>(() => ActivationStore.Open(dir));
        Assert.Equal(shard, e.File);
        Assert.Contains("SHA-256", e.Message);
        File.WriteAllBytes(shard, bytes.AsSpan(0, 100).ToArray());
        e = Assert.Throws<StoreFormatException>(() => ActivationStore.Open(dir));
        Assert.Equal(shard, e.File);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("shard-00001.bin", e.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ResumeRefusesADamagedFinishedShard()
    {
        var table = TestStores.Table(10, 5);
        var manifest = TestStores.Manifest(table, [4], StoreDType.Float32, 16);
        var dir = TestPaths.TempDir("damaged");
        using (var writer = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table))) TestStores.Append(writer, 0, 40);
        string shard = Path.Combine(dir, "shard-00001.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[3] ^= 1;
        File.WriteAllBytes(shard, bytes);
        var e = Assert.Throws<StoreFormatException>(() => StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)));
        Assert.Equal(shard, e.File);
        Assert.Equal(bytes, File.ReadAllBytes(shard)); // left as found
        Directory.Delete(dir, true);
    }

    [Fact]
    public void IncompleteStoreCannotBeOpenedForReading()
    {
        var table = TestStores.Table(10, 5);
        var manifest = TestStores.Manifest(table, [4], StoreDType.Float32, 16);
        var dir = TestPaths.TempDir("incomplete");
        using (var writer = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table))) TestStores.Append(writer, 0, 20);
        var e = Assert.Throws<StoreFormatException>(() => ActivationStore.Open(dir));
        Assert.Contains("incomplete", e.Message);
        Assert.Contains("16 of 50", e.Message);
        Directory.Delete(dir, true);
    }
}
