using System.Diagnostics;

namespace NeuronHost.Host.Tests;

/// <summary>Runs <c>dotnet build</c> in a child process, cleaned of the MSBuild variables the
/// test host sets (they would point the child at the parent's MSBuild) and without build servers
/// (a lingering server would keep the test run's output pipes open).</summary>
internal static class DotnetBuild
{
    public static void Run(string workingDirectory, params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])["build", .. arguments, "-nologo", "--disable-build-servers", "-p:UseSharedCompilation=false", "-v:minimal"])
            psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet build in {workingDirectory} took more than 15 minutes");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet build {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }
}
