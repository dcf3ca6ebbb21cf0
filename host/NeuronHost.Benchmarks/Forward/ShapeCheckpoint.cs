using NeuronHost.Benchmarks.Harness;

namespace NeuronHost.Benchmarks.Forward;

/// <summary>A random-weight checkpoint of a real model's shape (Forward/make_shape_checkpoint.py),
/// made in a temporary folder of its own and deleted with it: forward speed depends on the shapes
/// only, and the real GPT-2 small checkpoint is not served here.</summary>
internal sealed class ShapeCheckpoint : IDisposable
{
    private readonly DirectoryInfo _folder;
    public string Directory { get; }

    private ShapeCheckpoint(DirectoryInfo folder, string directory) { _folder = folder; Directory = directory; }

    /// <summary>The checkpoint (<paramref name="dtype"/> f32 or bf16), or null with <paramref name="problem"/> saying why (no numpy, …).</summary>
    public static ShapeCheckpoint? Make(string shape, out string? problem, string dtype = "f32")
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("neuronhost-shape-");
        string target = Path.Combine(folder.FullName, $"{shape}-{dtype}");
        problem = PythonBaseline.Run(Path.Combine(AppContext.BaseDirectory, "Forward", "make_shape_checkpoint.py"), [shape, target, "--dtype", dtype], _ => { });
        if (problem is null) return new ShapeCheckpoint(folder, target);
        folder.Delete(recursive: true);
        return null;
    }

    public void Dispose()
    {
        try { _folder.Delete(recursive: true); } catch (IOException) { }
    }
}
