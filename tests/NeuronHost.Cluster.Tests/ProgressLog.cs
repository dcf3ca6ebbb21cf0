using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeuronHost.Core.Reports;

namespace NeuronHost.Cluster.Tests;

/// <summary>Checks of what a cluster run shows while it runs — the batch log's per-silo lines and
/// `cluster status` — against what results.json recorded when it ended.</summary>
internal static partial class ProgressLog
{
    [GeneratedRegex(@"^\[(\d\d:\d\d:\d\d)\] shards by silo: (\d+)/(\d+) shards done; (.*)$")]
    private static partial Regex PerSiloLine();

    [GeneratedRegex(@"^(\S+) (\d+)/(\d+)")]
    private static partial Regex ShareOfSilo();

    /// <summary>Lines naming every silo's shards done/given, at most 10 s apart (11 with the
    /// timestamps' whole seconds), the last one agreeing with results.json's shards per silo.</summary>
    public static void AssertPerSiloLines(string stderr, ClusterRunResult c)
    {
        var lines = stderr.Split('\n').Select(l => PerSiloLine().Match(l.TrimEnd('\r'))).Where(m => m.Success).ToList();
        Assert.True(lines.Count >= 2, $"fewer than two per-silo lines in:\n{stderr}");
        var times = lines.Select(m => TimeSpan.ParseExact(m.Groups[1].Value, @"hh\:mm\:ss", CultureInfo.InvariantCulture)).ToList();
        for (int i = 1; i < times.Count; i++)
        {
            var gap = times[i] - times[i - 1];
            if (gap < TimeSpan.Zero) gap += TimeSpan.FromDays(1);
            Assert.True(gap <= TimeSpan.FromSeconds(11), $"{gap.TotalSeconds} s between per-silo lines {i - 1} and {i}:\n{lines[i - 1].Value}\n{lines[i].Value}");
        }
        var last = lines[^1];
        Assert.Equal(c.Shards, int.Parse(last.Groups[2].Value));
        Assert.Equal(c.Shards, int.Parse(last.Groups[3].Value));
        var shown = last.Groups[4].Value.Split(", ").Select(part => ShareOfSilo().Match(part)).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        foreach (var g in c.Silos.GroupBy(s => s.Name))
            Assert.Equal(g.Sum(s => s.Shards.Count), shown.GetValueOrDefault(g.Key, -1));
        Assert.Equal(c.Shards, shown.Values.Sum());
    }

    /// <summary>`cluster status --json` taken during the run lists the run, with per-silo shares no larger than each silo's final count.</summary>
    public static void AssertStatusShowsTheRun(string json, ClusterRunResult c, string[] silos)
    {
        using var doc = JsonDocument.Parse(json);
        var run = Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray(), r => r.GetProperty("job").GetString() == c.JobId);
        Assert.Equal(c.Shards, run.GetProperty("total").GetInt32());
        var bySilo = run.GetProperty("bySilo").EnumerateArray().ToList();
        Assert.NotEmpty(bySilo);
        foreach (var s in bySilo)
        {
            string name = s.GetProperty("silo").GetString()!;
            int done = s.GetProperty("done").GetInt32(), given = s.GetProperty("given").GetInt32();
            Assert.Contains(name, silos);
            Assert.InRange(done, 0, given);
            Assert.True(done <= c.Silos.Where(x => x.Name == name).Sum(x => x.Shards.Count), $"status showed {name} with {done} shards done, more than it finished");
        }
    }
}
