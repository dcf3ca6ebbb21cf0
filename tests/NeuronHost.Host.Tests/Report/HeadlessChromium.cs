using System.Diagnostics;

namespace NeuronHost.Host.Tests.Report;

/// <summary>Screenshots a local HTML file with Debian's chromium, offline and sandboxed from the
/// user's profile.</summary>
public static class HeadlessChromium
{
    public static string? Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static void Screenshot(string htmlPath, string pngPath, int width = 1280, int height = 2000)
    {
        Run(htmlPath, [$"--screenshot={pngPath}", $"--window-size={width},{height}"]);
        if (!File.Exists(pngPath)) throw new InvalidOperationException("chromium wrote no screenshot");
    }

    /// <summary>The document as Chromium holds it after loading (and after any script ran).</summary>
    public static string DumpDom(string htmlPath) => Run(htmlPath, ["--dump-dom"]);

    private static string Run(string htmlPath, string[] mode)
    {
        var exe = Executable ?? throw new InvalidOperationException("chromium is not installed (apt-get install -y chromium)");
        var profile = Directory.CreateTempSubdirectory("nh-chromium-");
        try
        {
            var psi = new ProcessStartInfo(exe)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         $"--user-data-dir={profile.FullName}" }.Concat(mode).Append("file://" + Path.GetFullPath(htmlPath)))
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(120))) { p.Kill(true); throw new TimeoutException("chromium timed out"); }
            if (p.ExitCode != 0 && !mode.Any(m => m.StartsWith("--screenshot")))
                throw new InvalidOperationException($"chromium exited with {p.ExitCode}: {err.Result}");
            return output.Result;
        }
        finally
        {
            try { profile.Delete(true); } catch (IOException) { }
        }
    }
}
