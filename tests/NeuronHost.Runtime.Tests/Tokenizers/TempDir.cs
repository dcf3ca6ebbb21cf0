namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>A scratch folder deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"neuronhost-tok-{Guid.NewGuid():N}");
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string Write(string name, string text) { System.IO.File.WriteAllText(File(name), text); return File(name); }
    public string Write(string name, byte[] bytes) { System.IO.File.WriteAllBytes(File(name), bytes); return File(name); }
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
