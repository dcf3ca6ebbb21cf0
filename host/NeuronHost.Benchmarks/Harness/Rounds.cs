namespace NeuronHost.Benchmarks.Harness;

/// <summary>The one benchmark discipline: every side (ours, the reference, the machine limit)
/// runs once per round, rounds repeat at least five times in one process tree, and the order
/// inside a round rotates so that no side always runs first (or right after a warm cache).
/// Each side returns the seconds of one run (a reference in another process reports its own
/// time). One untimed warm-up run of each side comes first. The load average is read before
/// and after.</summary>
public static class Rounds
{
    public const int MinimumRounds = 5;

    public sealed record Side(string Name, Func<double> RunOnce);

    public sealed record Result(IReadOnlyDictionary<string, Sample> Seconds, string LoadBefore, string LoadAfter)
    {
        public Sample this[string side] => Seconds[side];
        /// <summary>Median of the round-by-round time ratios slow/fast: how many times faster
        /// <paramref name="fast"/> was than <paramref name="slow"/>, with its spread.</summary>
        public Sample SpeedUp(string fast, string slow) => Sample.Ratio(Seconds[slow], Seconds[fast]);
        public string Load => LoadBefore == LoadAfter ? LoadBefore : $"{LoadBefore} → {LoadAfter}";
    }

    public static Result Run(int rounds, IReadOnlyList<Side> sides, bool warmUp = true, TextWriter? log = null, int minimumRounds = MinimumRounds)
    {
        if (sides.Count == 0) throw new ArgumentException("no side to time");
        rounds = Math.Max(minimumRounds, rounds);
        string before = LoadAverage.Now();
        if (warmUp) foreach (var s in sides) s.RunOnce();
        var times = sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < sides.Count; k++)
            {
                var side = sides[(r + k) % sides.Count];
                times[side.Name].Add(side.RunOnce());
            }
            log?.WriteLine($"    round {r + 1}/{rounds}: " + string.Join(", ", sides.Select(s => $"{s.Name} {times[s.Name][^1]:F3} s")));
        }
        return new Result(times.ToDictionary(kv => kv.Key, kv => new Sample(kv.Value)), before, LoadAverage.Now());
    }

    /// <summary>Seconds of one call of <paramref name="action"/> (for sides timed in this process).</summary>
    public static double Time(Action action)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The fastest of a PyTorch reference's thread settings (<see cref="ReferenceThreads.UpTo"/>),
    /// each timed <paramref name="trials"/> times in interleaved rounds after a warm-up.</summary>
    public static (ReferenceThreads Best, IReadOnlyDictionary<ReferenceThreads, Sample> Tried) BestThreads(int maxThreads, bool setsOpenBlas,
        Func<ReferenceThreads, double> runAt, int trials = 3)
    {
        var settings = ReferenceThreads.UpTo(maxThreads, setsOpenBlas);
        if (settings.Count == 1) return (settings[0], new Dictionary<ReferenceThreads, Sample>());
        var result = Run(Math.Max(trials, 1), settings.Select(t => new Side(t.ToString(), () => runAt(t))).ToList(), warmUp: true, minimumRounds: 1);
        var tried = settings.ToDictionary(t => t, t => result[t.ToString()]);
        return (tried.MinBy(kv => kv.Value.Median).Key, tried);
    }

    /// <summary>The fastest thread count of a reference with one count (PyTorch loading a checkpoint multiplies nothing): 1..<paramref name="maxThreads"/> alternate for
    /// <paramref name="trials"/> rounds (after one warm-up each) and the lowest median wins.
    /// Returns the winner and every count's sample, so the table can say which won and by how much.</summary>
    public static (int Best, IReadOnlyDictionary<int, Sample> Tried) BestThreadCount(int maxThreads, Func<int, double> runAt, int trials = 3)
    {
        var counts = Enumerable.Range(1, Math.Max(1, maxThreads)).ToArray();
        if (counts.Length == 1) return (1, new Dictionary<int, Sample>());
        var result = Run(Math.Max(trials, 1), counts.Select(t => new Side(t.ToString(System.Globalization.CultureInfo.InvariantCulture), () => runAt(t))).ToList(), warmUp: true, minimumRounds: 1);
        var tried = counts.ToDictionary(t => t, t => result[t.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return (tried.MinBy(kv => kv.Value.Median).Key, tried);
    }
}
