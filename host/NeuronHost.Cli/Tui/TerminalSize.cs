namespace NeuronHost.Cli.Tui;

/// <summary>The terminal's current size, read on every redraw so a resize is picked up; falls back
/// to 80×24 when the size cannot be read (never throws).</summary>
public static class TerminalSize
{
    public static int Width => Read(() => Console.WindowWidth, 80);
    public static int Height => Read(() => Console.WindowHeight, 24);

    private static int Read(Func<int> get, int fallback)
    {
        try { int v = get(); return v > 0 ? v : fallback; }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException) { return fallback; }
    }
}
