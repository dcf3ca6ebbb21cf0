using NeuronHost.Data.Store;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>Hashing a store is long work: it reports progress in MB and stops on cancellation.</summary>
public sealed class VerificationProgressTests
{
    private sealed class Collect : IProgress<ProgressReport>
    {
        public List<ProgressReport> Reports { get; } = [];
        public void Report(ProgressReport value) => Reports.Add(value);
    }

    [Fact]
    public void Verification_reports_megabytes_and_can_be_cancelled()
    {
        var table = TestStores.Table(200, 10); // 2,000 rows
        var dir = TestStores.Write(table, TestStores.Manifest(table, [4096], StoreDType.Float32, 256)); // 8 shards of 4 MiB
        var manifest = StoreManifest.Read(Path.Combine(dir, StoreManifest.FileName));
        double megabytes = (manifest.Shards.Sum(s => s.Bytes) + manifest.Sidecar.Bytes) / 1e6;
        Assert.Equal(2000L * 4096 * 4, manifest.Shards.Sum(s => s.Bytes));

        var progress = new Collect();
        using (ActivationStore.Open(dir, verifyHashes: true, progress)) { }
        Assert.All(progress.Reports, r => Assert.Equal((StoreVerifier.ProgressStage, "MB"), (r.Stage, r.Unit)));
        Assert.Equal(megabytes, progress.Reports[^1].Done, 6);
        Assert.Equal(megabytes, progress.Reports[^1].Total, 6);
        Assert.Equal(manifest.Shards.Count + 1, progress.Reports.Count); // after each shard and tokens.tsv
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(p => p.First.Done <= p.Second.Done));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ActivationStore.Open(dir, verifyHashes: true, null, cancelled.Token));
        Directory.Delete(dir, true);
    }
}
