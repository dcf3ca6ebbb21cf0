using System.Diagnostics;
using System.Text.Json;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>Runs a reference script shipped beside the benchmarks (PyTorch on the CPU or on
/// CUDA) that prints one JSON object a line, one per kernel timed.</summary>
internal static class PythonBaseline
{
    /// <summary>NEURONHOST_PYTHON, else Debian's interpreter (it has python3-torch; a python3
    /// found first on PATH, such as pyenv's, usually has not), else python3.</summary>
    public static string Interpreter =>
        Environment.GetEnvironmentVariable("NEURONHOST_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Calls <paramref name="onLine"/> for each JSON line; returns null when the script
    /// ran to exit 0, else one line saying why it did not (python missing, the script's last
    /// error line, unreadable output).</summary>
    public static string? Run(string script, IEnumerable<string> args, Action<JsonElement> onLine)
    {
        var psi = new ProcessStartInfo(Interpreter, [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PYENV_VERSION"] = "system";
        try
        {
            using var proc = Process.Start(psi)!;
            var err = proc.StandardError.ReadToEndAsync();
            string? line;
            while ((line = proc.StandardOutput.ReadLine()) is not null)
            {
                using var doc = JsonDocument.Parse(line);
                onLine(doc.RootElement);
            }
            proc.WaitForExit();
            return proc.ExitCode == 0 ? null : err.Result.Trim().Split('\n').LastOrDefault() ?? $"exit code {proc.ExitCode}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException)
        {
            return e.Message;
        }
    }
}
