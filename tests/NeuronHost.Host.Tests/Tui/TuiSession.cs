using System.Diagnostics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The built <c>neuronhost tui</c> in a detached tmux session, with the steps the
/// tests share: pick in a pane, tick a plugin, type into a field, check the frame after a resize.</summary>
public sealed class TuiSession : IDisposable
{
    public Tmux Tmux { get; }
    public string Folder { get; }
    public string NoConfig { get; }

    public TuiSession(string folder, int width, int height, string extraEnvironment = "")
    {
        Folder = folder;
        NoConfig = Path.Combine(folder, "no-config.json");
        string command = $"env -u NEURONHOST_PLUGINS NEURONHOST_CONFIG='{NoConfig}' {extraEnvironment} '{Executable()}' tui " +
            $"--model-root '{SharedAssets.Model("")}' --corpus-root '{SharedAssets.Corpus()}'; echo NEURONHOST-EXIT $?; sleep 120";
        Tmux = new Tmux(folder, command, width, height);
    }

    public static string Executable()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        return Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
    }

    public string WaitFor(params string[] texts) => Tmux.WaitFor(TimeSpan.FromSeconds(60), texts);
    public string Screen() => Tmux.Screen();

    /// <summary>Focuses a pane by its Alt hotkey, picks its first item, and moves down (each
    /// move picks) until <paramref name="picked"/> shows. Each key is given time to land before
    /// the next decision: on a busy machine a second Down sent too early would overshoot.</summary>
    public void Pick(char hotkey, string picked, int maxSteps = 12)
    {
        Tmux.Keys($"M-{hotkey}", "Home", "Space");
        for (int i = 0; i <= maxSteps; i++)
        {
            if (Shows(picked, TimeSpan.FromSeconds(3))) return;
            Tmux.Keys("Down");
        }
        WaitFor(picked);
    }

    /// <summary>Polls until the screen shows the text; false when it did not within the time.</summary>
    public bool Shows(string text, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            if (Screen().Contains(text)) return true;
            Thread.Sleep(200);
        } while (clock.Elapsed < within);
        return false;
    }

    /// <summary>Waits until the text is gone from the screen (a dialog closed).</summary>
    public void WaitUntilGone(string text)
    {
        var clock = Stopwatch.StartNew();
        while (Screen().Contains(text))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"'{text}' is still on screen:\n{Screen()}");
            Thread.Sleep(200);
        }
    }

    /// <summary>Focuses a check list, moves to the item at <paramref name="index"/> (from the top) and ticks it.</summary>
    public void Tick(char hotkey, int index, string ticked)
    {
        Tmux.Keys($"M-{hotkey}", "Home");
        for (int i = 0; i < index; i++) Tmux.Keys("Down");
        Tmux.Keys("Space");
        WaitFor(ticked);
    }

    /// <summary>Focuses a text field by its Alt hotkey and replaces its text.</summary>
    public void Type(char hotkey, string text)
    {
        Tmux.Keys($"M-{hotkey}", "C-a");
        Tmux.Type(text);
    }

    public void Resize(int width, int height)
    {
        Tmux.Run("resize-window", "-t", Tmux.Session, "-x", width.ToString(), "-y", height.ToString());
        Thread.Sleep(1500);
    }

    /// <summary>The screen after a full redraw at the pane's size: no row longer than the width,
    /// and every row of the framed area ends with a frame's right edge in the last column (a row
    /// left over from another size would end elsewhere).</summary>
    public static List<string> StrayRows(string screen, int width)
    {
        var rows = screen.Split('\n').Select(r => r.TrimEnd('\r')).ToList();
        var bad = rows.Where(r => r.Length > width).ToList();
        // Rows 1 .. the one above the status bar belong to framed panes.
        int last = rows.FindLastIndex(r => r.Length > 0 && "╯┛".Contains(r.TrimEnd()[^1]));
        for (int i = 1; i <= last; i++)
        {
            string r = rows[i];
            if (r.Length != width || !"│╮╯┃┓┛┤".Contains(r[^1])) bad.Add($"row {i}: '{r}'");
        }
        return bad;
    }

    public void Dispose() => Tmux.Dispose();
}
