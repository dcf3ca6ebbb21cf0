using System.Diagnostics;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Runs a JavaScript reference with node (Node 20 is on the machine and in CI).</summary>
public static class NodeReference
{
    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("node", ["--version"]) { RedirectStandardOutput = true })!;
            p.WaitForExit(30_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Runs the script with the arguments, feeding stdin; returns stdout or throws with stderr.</summary>
    public static string Run(string script, IEnumerable<string> args, string stdin)
    {
        var file = Path.Combine(Path.GetTempPath(), $"neuronhost-ref-{Guid.NewGuid():N}.cjs");
        File.WriteAllText(file, script);
        try
        {
            var psi = new ProcessStartInfo("node", [file, .. args])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("node reference timed out"); }
            if (p.ExitCode != 0) throw new InvalidOperationException($"node failed ({p.ExitCode}):\n{stderr.Result}");
            return stdout.Result;
        }
        finally { File.Delete(file); }
    }
}
