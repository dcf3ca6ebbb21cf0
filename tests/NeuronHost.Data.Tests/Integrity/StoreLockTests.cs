using System.Diagnostics;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>Two writers into one store: the second stops before reading or deleting anything,
/// naming the first one's pid; the first finishes as if alone.</summary>
public sealed class StoreLockTests
{
    [Fact]
    public void A_second_writer_in_the_same_process_is_refused_until_the_first_is_disposed()
    {
        var table = TestStores.Table(10, 5);
        var manifest = TestStores.Manifest(table, [4], StoreDType.Float32, 16);
        var dir = TestPaths.TempDir("lock");
        using (var first = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)))
        {
            TestStores.Append(first, 0, 20);
            var e = Assert.Throws<StoreBusyException>(() => StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)));
            Assert.Equal(Environment.ProcessId, e.Pid);
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            Assert.Contains(dir, e.Message);
        }
        using (var second = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)))
            Assert.Equal(StoreOpenState.Resumed, second.State);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void An_extraction_into_a_store_another_process_is_writing_stops_and_leaves_its_files_alone()
    {
        var root = TestPaths.TempDir("lock-child");
        string oneShot = Path.Combine(root, "one-shot"), shared = Path.Combine(root, "shared");
        ExtractionJob.Run(new FakeSession(width: 64), ChildExtraction.Options(oneShot));

        var psi = new ProcessStartInfo("dotnet", ["exec", typeof(ChildExtraction).Assembly.Location, "extract-child", shared])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var child = Process.Start(psi)!;
        string manifest = Path.Combine(shared, StoreManifest.FileName);
        var clock = Stopwatch.StartNew();
        while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            try { if (File.Exists(manifest) && StoreManifest.Read(manifest).Shards.Count >= 2) break; }
            catch (Exception e) when (e is IOException or StoreFormatException) { }
            Thread.Sleep(5);
        }
        if (child.HasExited) Assert.Fail("the child ended before the second writer started: " + child.StandardError.ReadToEnd());

        var busy = Assert.Throws<StoreBusyException>(() => ExtractionJob.Run(new FakeSession(width: 64), ChildExtraction.Options(shared)));
        Assert.Equal(child.Id, busy.Pid);

        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "the child did not finish");
        Assert.True(child.ExitCode == 0, child.StandardError.ReadToEnd());
        var a = TestStores.Files(oneShot); var b = TestStores.Files(shared);
        a.Remove(StoreLock.FileName); b.Remove(StoreLock.FileName); // each holds its writer's pid
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs from a run that was alone");
        Directory.Delete(root, true);
    }

    [Fact]
    public void A_lock_file_planted_as_a_symlink_is_not_written_through()
    {
        var table = TestStores.Table(4, 5);
        var dir = TestPaths.TempDir("lock-link");
        string victim = Path.Combine(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + "-victim.txt");
        File.WriteAllText(victim, "keep me");
        File.CreateSymbolicLink(Path.Combine(dir, StoreLock.FileName), victim);
        var e = Assert.Throws<StoreFormatException>(() => StoreWriter.Open(dir, TestStores.Manifest(table, [4], StoreDType.Float32, 16), TokenSidecar.ToBytes(table)));
        Assert.Contains(StoreLock.FileName, e.Message);
        Assert.Equal("keep me", File.ReadAllText(victim));
        File.Delete(victim);
        Directory.Delete(dir, true);
    }
}
