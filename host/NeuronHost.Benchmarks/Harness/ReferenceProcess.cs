using System.Diagnostics;
using System.Text.Json;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>A reference implementation (a PyTorch script) kept running as a child process for the
/// whole benchmark, so that its runs can alternate with ours round by round. Protocol: one JSON
/// object a line each way; the script answers every request with one line, a JSON object that
/// has "seconds" for a timed run or "error" for a failure.</summary>
public sealed class ReferenceProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stderr;
    public string Script { get; }
    /// <summary>The script said (in its first line) that it sets its OpenBLAS's threads as well as torch's.</summary>
    public bool SetsOpenBlas { get; private set; }

    private ReferenceProcess(Process process, string script)
    {
        this.process = process;
        Script = script;
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts <paramref name="script"/> with <see cref="PythonBaseline.Interpreter"/>;
    /// null with the reason when python or torch is missing (the script's first line must be
    /// {"ready": true}).</summary>
    public static ReferenceProcess? Start(string script, IEnumerable<string> args, out string? problem, string? python = null)
    {
        python ??= PythonBaseline.Interpreter;
        var psi = new ProcessStartInfo(python, [script, .. args])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["PYENV_VERSION"] = "system";
        try
        {
            var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var reference = new ReferenceProcess(p, script);
            string? first = p.StandardOutput.ReadLine();
            if (first is null)
            {
                p.WaitForExit();
                problem = reference.stderr.Result.Trim().Split('\n').LastOrDefault() is { Length: > 0 } l ? l : $"{script} exited with {p.ExitCode}";
                reference.Dispose();
                return null;
            }
            problem = null;
            reference.SetsOpenBlas = JsonDocument.Parse(first).RootElement.TryGetProperty("openblas", out var o) && o.ValueKind == JsonValueKind.True;
            return reference;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            problem = $"{python}: {e.Message}";
            return null;
        }
    }

    /// <summary>Sends one request and returns the answer; throws with the script's stderr when it
    /// died or answered with "error".</summary>
    public JsonElement Call(object request)
    {
        process.StandardInput.WriteLine(JsonSerializer.Serialize(request));
        process.StandardInput.Flush();
        string? line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            process.WaitForExit();
            throw new InvalidOperationException($"{Path.GetFileName(Script)} died: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        }
        var answer = JsonDocument.Parse(line).RootElement.Clone();
        if (answer.TryGetProperty("error", out var e)) throw new InvalidOperationException($"{Path.GetFileName(Script)}: {e.GetString()}");
        return answer;
    }

    /// <summary>One timed run of <paramref name="what"/> at <paramref name="threads"/>; the script's
    /// answer must say it ran at those (a script that ignored OpenBLAS's count would be timed on all cores).</summary>
    public double Seconds(string what, ReferenceThreads threads)
    {
        var answer = Call(new { run = what, threads = threads.Torch, blas = threads.Blas });
        var ran = new ReferenceThreads(answer.GetProperty("threads").GetInt32(),
            answer.TryGetProperty("blas", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : null);
        if (ran != threads) throw new InvalidOperationException($"{Path.GetFileName(Script)} ran {what} at {ran}, not at {threads}");
        return answer.GetProperty("seconds").GetDouble();
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(5000)) process.Kill(true);
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
