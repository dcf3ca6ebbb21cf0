using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuronHost.Data.Store;

/// <summary>The advisory lock a writer holds on a store folder while it may change it: the file
/// <see cref="FileName"/> opened with <see cref="FileShare.None"/> (on Linux and macOS .NET takes
/// an exclusive <c>flock</c> on it), holding the writer's pid. A second writer into the same
/// folder stops at once with <see cref="StoreBusyException"/>; the kernel drops the lock when the
/// process ends, even on kill -9, so a stale file never blocks. The file itself stays.</summary>
public sealed partial class StoreLock : IDisposable
{
    public const string FileName = "writer.lock";
    private readonly FileStream stream;

    private StoreLock(FileStream stream) => this.stream = stream;

    public static StoreLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (new FileInfo(path).LinkTarget is not null)
            throw new StoreFormatException(path, "a symlink: the store's lock file must be a plain file");
        FileStream stream;
        try { stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new StoreBusyException(directory, ReadPid(path));
        }
        try
        {
            stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.SetLength(stream.Position);
            stream.Flush();
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new StoreLock(stream);
    }

    /// <summary>The pid the holder wrote, read without taking a lock (plain open/read: .NET's own
    /// readers would ask for a shared flock and fail); null when unknown.</summary>
    private static unsafe int? ReadPid(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        int fd = open(path, 0 /* O_RDONLY */);
        if (fd < 0) return null;
        var buffer = stackalloc byte[32];
        nint n = read(fd, buffer, 32);
        close(fd);
        if (n <= 0) return null;
        var text = Encoding.ASCII.GetString(buffer, (int)n).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    public void Dispose() => stream.Dispose();

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
