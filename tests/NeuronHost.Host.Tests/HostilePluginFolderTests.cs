using System.Text.Json;
using NeuronHost.Cli;

namespace NeuronHost.Host.Tests;

/// <summary>Issue 15's hostile plugin folders: a 4 GiB sparse .dll and a symlink loop must be
/// reported as one error each while every good plugin is still listed (they once failed the whole
/// `plugins list` with an ArgumentException).</summary>
public sealed class HostilePluginFolderTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("nh-hostile-plugins-");
    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void Oversized_and_looping_plugin_files_are_named_and_the_rest_is_listed()
    {
        var huge = Directory.CreateDirectory(Path.Combine(dir.FullName, "Huge"));
        using (var f = File.Create(Path.Combine(huge.FullName, "Huge.dll"))) f.SetLength(4L << 30); // sparse: nothing is written
        var loop = Directory.CreateDirectory(Path.Combine(dir.FullName, "Loop"));
        File.CreateSymbolicLink(Path.Combine(loop.FullName, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(loop.FullName, "b"), "a");
        File.CreateSymbolicLink(Path.Combine(loop.FullName, "Loop.dll"), "a");

        var output = new StringWriter();
        var error = new StringWriter();
        var started = System.Diagnostics.Stopwatch.StartNew();
        int code = CliApp.Run(["plugins", "list", "--json", "--plugins", BuiltPluginsFixture.BuiltInPlugins, "--plugins", dir.FullName],
            Program.Commands, output, error, new CliContext { OnlyCommandLinePlugins = true });
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"took {started.Elapsed}");
        Assert.True(code == 0, $"exit {code}: {error}");
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Contains(doc.RootElement.GetProperty("plugins").EnumerateArray(), p => p.GetProperty("name").GetString() == "probeless");
        var errors = doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains("Huge.dll") && e.Contains("limit"));
        Assert.Contains(errors, e => e.Contains("Loop.dll"));
        Assert.DoesNotContain("Exception", output.ToString() + error);
    }
}
