using System.Diagnostics;
using NeuronHost.Data.Store;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>A write that fails midway removes its partial ".tmp" and leaves the file it was
/// replacing (and every finished shard) as it was.</summary>
public sealed class PartialWriteTests
{
    [Fact]
    public void A_failing_write_removes_its_tmp_and_keeps_the_old_file()
    {
        var dir = TestPaths.TempDir("atomic");
        string path = Path.Combine(dir, "data.bin");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1 << 20]);
            throw new IOException("No space left on device (simulated)");
        }));
        Assert.Contains("simulated", e.Message);
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal("old", File.ReadAllText(path));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_tmp_planted_as_a_symlink_is_replaced_not_written_through()
    {
        var dir = TestPaths.TempDir("atomic-link");
        string victim = Path.Combine(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + "-victim.txt");
        File.WriteAllText(victim, "keep me");
        File.CreateSymbolicLink(Path.Combine(dir, "data.bin.tmp"), victim);
        AtomicFile.WriteAllBytes(Path.Combine(dir, "data.bin"), "new"u8);
        Assert.Equal("keep me", File.ReadAllText(victim));
        Assert.Equal("new", File.ReadAllText(Path.Combine(dir, "data.bin")));
        File.Delete(victim);
        Directory.Delete(dir, true);
    }

    /// <summary>A real full disk: a 3 MiB tmpfs, a store of four 1 MiB shards.</summary>
    [MountFact]
    public void A_full_disk_leaves_no_partial_shard_and_the_finished_ones_resume()
    {
        var dir = TestPaths.TempDir("full-disk");
        Mount(dir, "3m");
        try
        {
            var table = TestStores.Table(40, 5); // 200 rows
            var manifest = TestStores.Manifest(table, [4096], StoreDType.Float32, 64);
            using (var writer = StoreWriter.Open(dir, manifest, TokenSidecar.ToBytes(table)))
            {
                var e = Assert.ThrowsAny<IOException>(() => TestStores.Append(writer, 0, 200, chunk: 8));
                Assert.Contains("space", e.Message, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            var drive = new DriveInfo(dir);
            Assert.True(drive.AvailableFreeSpace > 900_000, $"{drive.AvailableFreeSpace} bytes free: the partial shard stayed");
            var left = StoreManifest.Read(Path.Combine(dir, StoreManifest.FileName));
            Assert.InRange(left.Shards.Count, 1, 3);
            StoreVerifier.Verify(dir, left); // the finished shards are whole
        }
        finally
        {
            Run("umount", dir);
            Directory.Delete(dir, true);
        }
    }

    private static void Mount(string dir, string size) => Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", dir);

    private static void Run(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }
}

/// <summary>Needs root with CAP_SYS_ADMIN (to mount a small tmpfs); skipped elsewhere.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (!CanMount()) Skip = "needs root with CAP_SYS_ADMIN to mount a small tmpfs (a real full disk)";
    }

    private static bool CanMount()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        var cap = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:"));
        return cap is not null && (Convert.ToUInt64(cap[7..].Trim(), 16) & (1UL << 21)) != 0;
    }
}
