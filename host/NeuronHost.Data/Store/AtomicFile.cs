using System.Runtime.InteropServices;

namespace NeuronHost.Data.Store;

/// <summary>Crash-safe file replacement: write "name.tmp", fsync it, rename over "name", fsync
/// the directory. A reader (or a resumed run) sees the old file or the new one, never half of one.
/// A write that fails (disk full, I/O error, cancellation) removes its partial ".tmp".</summary>
public static partial class AtomicFile
{
    public static void Write(string path, Action<FileStream> write, int bufferSize = 1 << 16) =>
        Replace(path, bufferSize, write, static (stream, w) => w(stream));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) =>
        Replace(path, 0, bytes, static (stream, b) => stream.Write(b));

    private delegate void WriteTo<T>(FileStream stream, T state) where T : allows ref struct;

    private static void Replace<T>(string path, int bufferSize, T state, WriteTo<T> write) where T : allows ref struct
    {
        string tmp = path + ".tmp";
        File.Delete(tmp); // a leftover (or a symlink planted there) is replaced, never written through
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(stream, state);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            DeletePartial(tmp);
            throw;
        }
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void DeletePartial(string tmp)
    {
        try { File.Delete(tmp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the original error matters more
    }

    /// <summary>Makes a rename durable (POSIX: fsync on the directory). No-op elsewhere.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        fsync(fd);
        close(fd);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
