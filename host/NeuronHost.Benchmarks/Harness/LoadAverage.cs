using System.Globalization;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>The 1/5/15-minute load averages from /proc/loadavg: every timing on a shared machine
/// is printed next to them.</summary>
public static class LoadAverage
{
    public static string Now()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    public static double OneMinute() =>
        double.TryParse(Now().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
}
