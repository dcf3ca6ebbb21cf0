using System.Diagnostics;

namespace NeuronHost.Tests.Common;

/// <summary>Runs a Python script (numpy / torch / sklearn from Debian) as an independent
/// reference. Tests that need it skip when python3 or the module is missing, unless CI
/// requires shared assets (then the missing reference is a failure).</summary>
public static class PythonReference
{
    /// <summary>Debian's interpreter, which has python3-numpy/-torch/-sklearn; a python3 found
    /// first on PATH (pyenv, venv) usually lacks them. NEURONHOST_PYTHON overrides.</summary>
    public static string Interpreter { get; } =
        Environment.GetEnvironmentVariable("NEURONHOST_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static bool HasModule(string module)
    {
        try
        {
            var (code, _, _) = Run($"import {module}", TimeSpan.FromSeconds(60));
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Runs the script with the given working directory and returns stdout; throws with
    /// stderr on a non-zero exit.</summary>
    public static string RunOrThrow(string script, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var (code, stdout, stderr) = Run(script, timeout ?? TimeSpan.FromMinutes(10), workingDirectory);
        if (code != 0) throw new InvalidOperationException($"python3 failed ({code}):\n{stderr}");
        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) Run(string script, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(Interpreter, ["-"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException("python3 reference timed out"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
