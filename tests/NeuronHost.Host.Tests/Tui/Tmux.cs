using System.Diagnostics;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>Drives a program in a detached tmux session of a fixed size: send keys, read the screen.
/// Each session runs on its own tmux server (its own socket): with one shared server, a test whose
/// session was the last one closed the server while another test's new-session was connecting to
/// it, and that test failed with "server exited unexpectedly" (seen in CI).</summary>
public sealed class Tmux : IDisposable
{
    public string Session { get; } = "nhtest-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _socket;
    public List<string> Screens { get; } = [];

    public static bool Available => File.Exists("/usr/bin/tmux") || File.Exists("/usr/local/bin/tmux");

    public Tmux(string workingDirectory, string command, int width = 80, int height = 24)
    {
        _socket = Path.Combine(Path.GetTempPath(), Session + ".tmux");
        Run("-f", "/dev/null", "new-session", "-d", "-s", Session, "-x", width.ToString(), "-y", height.ToString(), "-c", workingDirectory, command);
    }

    /// <summary>Runs a tmux command against this session's own server.</summary>
    public string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-S");
        psi.ArgumentList.Add(_socket);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error}");
        return output;
    }

    public string Screen() => Run("capture-pane", "-p", "-t", Session);

    public void Keys(params string[] keys)
    {
        foreach (var k in keys)
        {
            Run("send-keys", "-t", Session, k);
            Thread.Sleep(250);
        }
    }

    /// <summary>Types text literally (no key-name interpretation).</summary>
    public void Type(string text) { Run("send-keys", "-t", Session, "-l", text); Thread.Sleep(250); }

    /// <summary>Polls the screen until it contains all the texts; fails with the last screen.</summary>
    public string WaitFor(TimeSpan timeout, params string[] texts)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = Screen();
            if (texts.All(screen.Contains)) { Screens.Add(screen); return screen; }
            Thread.Sleep(300);
        }
        throw new TimeoutException($"screen never showed [{string.Join(", ", texts)}] within {timeout.TotalSeconds:0}s; it shows:\n{screen}");
    }

    public string WaitFor(params string[] texts) => WaitFor(TimeSpan.FromSeconds(30), texts);

    /// <summary>Polls the screen until the pattern matches. A miss names how many screens were read
    /// and shows the last few different ones, since what the pattern waited for may have passed
    /// between two reads.</summary>
    public string WaitForMatch(TimeSpan timeout, string pattern)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        int reads = 0;
        var seen = new List<(TimeSpan At, string Screen)>();
        while (clock.Elapsed < timeout)
        {
            screen = Screen();
            reads++;
            if (System.Text.RegularExpressions.Regex.IsMatch(screen, pattern)) { Screens.Add(screen); return screen; }
            if (seen.Count == 0 || seen[^1].Screen != screen) seen.Add((clock.Elapsed, screen));
            Thread.Sleep(200);
        }
        string earlier = string.Concat(seen.SkipLast(1).TakeLast(4).Select(x => $"\n--- at {x.At.TotalSeconds:0.0} s:\n{x.Screen}"));
        throw new TimeoutException($"screen never matched /{pattern}/ within {timeout.TotalSeconds:0}s "
            + $"({reads} reads, {seen.Count} different screens); it shows:\n{screen}"
            + (earlier.Length > 0 ? $"\nthe different screens before it:{earlier}" : ""));
    }

    public void Dispose()
    {
        try { Run("kill-server"); } catch (InvalidOperationException) { }
        File.Delete(_socket); // tmux leaves the socket file behind; this session made it
    }
}
