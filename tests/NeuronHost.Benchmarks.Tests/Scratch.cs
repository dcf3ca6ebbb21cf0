namespace NeuronHost.Benchmarks.Tests;

internal static class Scratch
{
    /// <summary>A new empty folder under the system temp folder (never the user's cache).</summary>
    public static string Dir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "neuronhost-bench-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
