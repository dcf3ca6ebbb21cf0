using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>What the host learns from a candidate .dll's metadata before loading any code:
/// whether it is a .NET assembly, which NeuronHost.Sdk version it was built against, and the
/// names of its public top-level classes.</summary>
internal sealed record PluginAssemblyMetadata(string AssemblyName, Version? SdkReference, IReadOnlyList<string> PublicClasses);

internal static class PluginAssemblyInspector
{
    public const string SdkAssemblyName = "NeuronHost.Sdk";

    /// <summary>The metadata of a .dll that may hold plugins for this host, or null with the one-line
    /// problem (naming the file): not .NET, no SDK reference, another SDK major, a newer minor.</summary>
    public static PluginAssemblyMetadata? Check(string dll, out string? problem)
    {
        problem = null;
        var metadata = Inspect(dll, out var notDotNet);
        if (metadata is null)
            problem = $"{dll}: {notDotNet}; not a plugin";
        else if (metadata.SdkReference is not { } sdk)
            problem = $"{dll}: not a NeuronHost plugin (it does not reference {SdkAssemblyName})";
        else if (sdk.Major != SdkVersion.Major)
            problem = $"{dll}: built against NeuronHost SDK {sdk.Major}.{sdk.Minor}, but this host has SDK {SdkVersion.Major}.{SdkVersion.Minor}; rebuild the plugin against SDK {SdkVersion.Major}.x";
        else if (sdk.Minor > SdkVersion.Minor)
            problem = $"{dll}: built against NeuronHost SDK {sdk.Major}.{sdk.Minor}, newer than this host's SDK {SdkVersion.Major}.{SdkVersion.Minor}; update the host";
        return problem is null ? metadata : null;
    }

    /// <summary>The largest file read as a plugin assembly (real ones are well under 10 MiB; a
    /// larger one, e.g. a sparse 4 GiB file, is refused without reading it).</summary>
    public const long MaxAssemblyBytes = 256L << 20;

    /// <summary>Null with a reason when the file is not a .NET assembly.</summary>
    public static PluginAssemblyMetadata? Inspect(string dllPath, out string? notDotNetReason)
    {
        notDotNetReason = null;
        try
        {
            long length = new FileInfo(dllPath).Length;
            if (length > MaxAssemblyBytes)
            {
                notDotNetReason = $"not a plugin assembly: {length / (double)(1 << 20):F0} MiB is over the {MaxAssemblyBytes >> 20} MiB limit";
                return null;
            }
            using var stream = File.OpenRead(dllPath);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                notDotNetReason = "not a .NET assembly (a native library?)";
                return null;
            }
            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
            {
                notDotNetReason = "a .NET module without an assembly manifest";
                return null;
            }
            Version? sdk = null;
            foreach (var handle in md.AssemblyReferences)
            {
                var reference = md.GetAssemblyReference(handle);
                if (md.StringComparer.Equals(reference.Name, SdkAssemblyName)) sdk = reference.Version;
            }
            var classes = new List<string>();
            foreach (var handle in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(handle);
                var visibility = type.Attributes & TypeAttributes.VisibilityMask;
                if (visibility != TypeAttributes.Public) continue; // top-level public only
                if ((type.Attributes & TypeAttributes.Interface) != 0) continue;
                var ns = md.GetString(type.Namespace);
                var name = md.GetString(type.Name);
                classes.Add(ns.Length == 0 ? name : $"{ns}.{name}");
            }
            return new PluginAssemblyMetadata(md.GetString(md.GetAssemblyDefinition().Name), sdk, classes);
        }
        catch (BadImageFormatException)
        {
            notDotNetReason = "not a .NET assembly (not a valid PE file)";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A symlink loop, a dangling link or an unreadable file: this file only, not the listing.
            notDotNetReason = $"cannot be read ({e.Message})";
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // PEReader reports a truncated, corrupt or oversized image this way.
            notDotNetReason = "not a .NET assembly (corrupt or truncated image)";
            return null;
        }
    }
}
