using System.Diagnostics;

namespace NeuronHost.Host.Tests;

/// <summary>Runs the <c>dotnet</c> CLI in a child process, cleaned of the MSBuild variables the
/// test host sets (they would point the child at the parent's MSBuild) and without build servers
/// (a lingering server would keep the test run's output pipes open).</summary>
internal static class DotnetBuild
{
    /// <summary><c>dotnet build ARGS</c>; throws with the output when it fails.</summary>
    public static void Run(string workingDirectory, params string[] arguments) =>
        Command(workingDirectory, ["build", .. arguments, "-nologo", "--disable-build-servers", "-p:UseSharedCompilation=false", "-v:minimal"]);

    /// <summary><c>dotnet ARGS</c> with extra environment variables; returns its output and throws
    /// with it when the exit code is not 0 or it takes longer than <paramref name="timeout"/>.</summary>
    public static string Command(string workingDirectory, string[] arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;

        var limit = timeout ?? TimeSpan.FromMinutes(15);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} in {workingDirectory} took more than {limit.TotalMinutes} minutes");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} in {workingDirectory} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
