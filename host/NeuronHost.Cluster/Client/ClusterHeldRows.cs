using NeuronHost.Cluster.Contracts;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;
using Orleans.Runtime;

namespace NeuronHost.Cluster.Client;

/// <summary>The train rows a cluster run left on its silos (each silo keeps the shards it
/// extracted), for the rankings that run over them. Holder h is one silo process with its shards'
/// train rows; its <see cref="IRowHolderGrain"/> runs on it. Disposing ends the run on the cluster:
/// the job leaves the board and the silos drop its rows.</summary>
internal sealed class ClusterHeldRows : IHeldTrainRows
{
    /// <summary>A silo process holding rows of a line's use, and (for messages) the shards they are from.</summary>
    private sealed record Holder(string Name, string Address, List<int> Shards, List<(long First, long End)> TrainRanges, bool TrainOnly);

    private readonly ClusterConnection cluster;
    private readonly string jobId;
    private readonly List<Holder> holders;
    /// <summary>Every shard: its store rows and the silo process that holds them, by first row.</summary>
    private readonly List<(int Index, long FirstRow, long EndRow, string Silo, string Address)> shards;
    private readonly ClusterRunResult result;
    private int probeLines;
    private bool disposed;

    public string Where { get; }
    public long[] TrainRows { get; }
    public int[] TrainLabels { get; }
    public IReadOnlyList<string> Rankings { get; }
    public IReadOnlyList<string> Probes { get; }

    /// <param name="trainRowsPerShard">Each shard's train rows, by shard index.</param>
    public ClusterHeldRows(ClusterConnection cluster, string jobId, CoordinatorState final, IReadOnlyDictionary<int, int> trainRowsPerShard,
        long[] trainRows, int[] trainLabels, IReadOnlyList<string> rankings, IReadOnlyList<string> probes, ClusterRunResult result)
    {
        this.cluster = cluster; this.jobId = jobId; this.result = result;
        TrainRows = trainRows; TrainLabels = trainLabels; Rankings = rankings; Probes = probes;
        long first = 0;
        var parts = new List<(string Name, string Address, int Shard, long First, long End)>();
        foreach (var shard in final.Shards.OrderBy(x => x.Spec.Index))
        {
            if (shard.Status != ShardStatus.Done) throw new ClusterException($"shard {shard.Spec.Index} of run {jobId} is {shard.Status}, not done");
            int n = trainRowsPerShard[shard.Spec.Index];
            if (n > 0) parts.Add((shard.Silo, shard.Incarnation, shard.Spec.Index, first, first + n));
            first += n;
        }
        if (first != trainRows.Length) throw new ClusterException($"the shards of run {jobId} hold {first} train rows, the task {trainRows.Length}");
        holders = parts.GroupBy(p => (p.Name, p.Address)).OrderBy(g => g.Key.Name, StringComparer.Ordinal).ThenBy(g => g.Key.Address, StringComparer.Ordinal)
            .Select(g => new Holder(g.Key.Name, g.Key.Address, g.Select(p => p.Shard).ToList(), g.Select(p => (p.First, p.End)).ToList(), TrainOnly: true)).ToList();
        shards = final.Shards.OrderBy(x => x.Spec.FirstRow).Select(x => (x.Spec.Index, x.Spec.FirstRow, x.Spec.EndRow, x.Silo, x.Incarnation)).ToList();
        Where = $"{final.Shards.Select(x => x.Silo).Distinct().Count()} silo(s) of {cluster.Address}";
    }

    public IRowHolders Open(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, CancellationToken cancellation)
    {
        var opening = holders.Select(h => new HeldRowsOpening
        {
            JobId = jobId, Use = use.DisplayName, Plugin = use.Plugin, PluginType = pluginType.FullName ?? "", PluginVersion = pluginVersion.ToString(),
            Parameters = new Dictionary<string, string>(use.Parameters), Task = task.Task, ClassNames = task.ClassNames.ToList(),
            TrainRows = task.TrainRows,
            Parts = h.Shards.Zip(h.TrainRanges, (shard, r) => new HeldPartSpec { Shard = shard, FirstTrainRow = r.First, TrainRows = r.End - r.First }).ToList(),
        }).ToList();
        var line = OpenLine(use.DisplayName, "the ranking", holders, opening, cancellation);
        if (!result.RankingsOverHeldRows.Contains(use.DisplayName)) result.RankingsOverHeldRows.Add(use.DisplayName);
        return line;
    }

    /// <summary>The silos that hold any row of the splits each get their rows' places in their
    /// shards and the labels given (train rows in the split's order, the holders' ranges).</summary>
    public IRowHolders OpenProbe(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, HeldSplits splits, CancellationToken cancellation)
    {
        var parts = new List<(int Shard, HeldSplitPart Part)>();
        foreach (var (split, index) in new[] { (splits.Train, 0), (splits.Dev, 1), (splits.Test, 2) })
            if (split is not null) parts.AddRange(PartsOf(split, index));
        var lineHolders = parts.GroupBy(p => Place(p.Shard)).OrderBy(g => g.Key.Silo, StringComparer.Ordinal).ThenBy(g => g.Key.Address, StringComparer.Ordinal)
            .Select(g => (Holder: new Holder(g.Key.Silo, g.Key.Address, g.Select(p => p.Shard).Distinct().Order().ToList(),
                g.Where(p => p.Part.Split == 0).Select(p => (p.Part.FirstRow, p.Part.FirstRow + p.Part.Offsets.Length)).OrderBy(r => r.Item1).ToList(), TrainOnly: false),
                Parts: g.Select(p => p.Part).ToList())).ToList();
        // one service per line on each silo: the task's labels and the control task's are two lines
        string name = $"{use.DisplayName} (probe line {Interlocked.Increment(ref probeLines)})";
        var opening = lineHolders.Select(h => new HeldRowsOpening
        {
            JobId = jobId, Use = name, Plugin = use.Plugin, PluginType = pluginType.FullName ?? "", PluginVersion = pluginVersion.ToString(),
            Parameters = new Dictionary<string, string>(use.Parameters), Task = task.Task, ClassNames = task.ClassNames.ToList(),
            TrainRows = task.TrainRows, DevRows = task.DevRows, TestRows = task.TestRows, Probe = true, Splits = h.Parts,
        }).ToList();
        // each row's place in its shard and its label, 4 B each
        lock (result) result.HeldRowsBytesSent += parts.Sum(p => p.Part.Offsets.LongLength * 8);
        var line = OpenLine(name, $"probe '{use.DisplayName}'", lineHolders.Select(h => h.Holder).ToList(), opening, cancellation);
        if (!result.ProbesOverHeldRows.Contains(use.DisplayName)) result.ProbesOverHeldRows.Add(use.DisplayName);
        return line;
    }

    /// <summary>A split's rows cut where the shard changes: each piece's offsets in its shard and labels.</summary>
    private IEnumerable<(int Shard, HeldSplitPart Part)> PartsOf(HeldSplit split, int index)
    {
        if (split.Labels.Length != split.Rows.Length) throw new ClusterException($"{split.Labels.Length} labels for {split.Rows.Length} rows");
        int i = 0;
        while (i < split.Rows.Length)
        {
            var shard = ShardOf(split.Rows[i]);
            int start = i;
            while (i < split.Rows.Length && split.Rows[i] >= shard.FirstRow && split.Rows[i] < shard.EndRow) i++;
            yield return (shard.Index, new HeldSplitPart
            {
                Split = index, Shard = shard.Index, FirstRow = start,
                Offsets = split.Rows[start..i].Select(r => (int)(r - shard.FirstRow)).ToArray(), Labels = split.Labels[start..i],
            });
        }
    }

    private (int Index, long FirstRow, long EndRow, string Silo, string Address) ShardOf(long row)
    {
        int lo = 0, hi = shards.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (row < shards[mid].FirstRow) hi = mid - 1;
            else if (row >= shards[mid].EndRow) lo = mid + 1;
            else return shards[mid];
        }
        throw new ClusterException($"row {row} is in no shard of run {jobId}");
    }

    /// <summary>The silo process that holds the shard's rows.</summary>
    private (string Silo, string Address) Place(int shard)
    {
        var s = shards.First(x => x.Index == shard);
        return (s.Silo, s.Address);
    }

    private Line OpenLine(string use, string during, List<Holder> lineHolders, List<HeldRowsOpening> opening, CancellationToken cancellation)
    {
        var grains = lineHolders.Select(h => cluster.Client.GetGrain<IRowHolderGrain>($"{jobId}|{h.Address}")).ToList();
        var errors = Task.WhenAll(grains.Select((g, i) => Call(lineHolders[i], during, () => g.Open(opening[i])))).WaitAsync(cancellation).GetAwaiter().GetResult();
        var line = new Line(this, use, during, lineHolders, grains);
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            line.Dispose();   // the silos that did open drop their rows' copies
            throw new ClusterException(error);
        }
        return line;
    }

    /// <summary>A call to a holder, watched: a silo that leaves the cluster meanwhile (membership
    /// declares it dead) fails the call then, not when the call's timeout ends; a silo that does
    /// not answer is named.</summary>
    /// <param name="during">What the rows were in use for ("the ranking"), for the message.</param>
    private async Task<T> Call<T>(Holder h, string during, Func<Task<T>> call)
    {
        using var done = new CancellationTokenSource();
        var work = call();
        var watch = WatchMembership(h, during, done.Token);
        try
        {
            if (await Task.WhenAny(work, watch) == watch) await watch;
            return await work;
        }
        catch (Exception e) when (e is not OperationCanceledException and not ClusterException)
        {
            string why = e is TimeoutException ? $"no answer in {IRowHolderGrain.HeldRowsTimeout} (it hangs, or the message is too large for this timeout)" : ClusterAddress.FirstLine(e.Message);
            throw new ClusterException($"{Describe(h)} did not answer: {why}", e);
        }
        finally
        {
            done.Cancel();
            _ = watch.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    private static string Describe(Holder h) =>
        $"silo {h.Name} ({h.Address}), which holds {(h.TrainOnly ? "train " : "")}rows of shards {string.Join(", ", h.Shards)},";

    /// <summary>Every 2 s while a call runs: is the holder's silo still an active member? Ends with an
    /// exception when it is not; a membership read that fails is tried again.</summary>
    private async Task WatchMembership(Holder h, string during, CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            bool alive;
            try { alive = (await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true)).Any(x => x.SiloAddress.ToParsableString() == h.Address); }
            catch (Exception) when (!stop.IsCancellationRequested) { continue; }
            if (!alive) throw new ClusterException($"{Describe(h)} left the cluster during {during}; those rows are gone with it");
        }
    }

    /// <summary>One ranking's or probe line's connection to its holders.</summary>
    private sealed class Line(ClusterHeldRows held, string use, string during, List<Holder> holders, List<IRowHolderGrain> grains) : IRowHolders, IDisposable
    {
        public IReadOnlyList<IReadOnlyList<(long First, long End)>> Ranges { get; } =
            holders.Select(h => (IReadOnlyList<(long, long)>)h.TrainRanges).ToList();

        public string Name(int holder) => $"silo {holders[holder].Name}";

        public byte[]?[] Ask(IReadOnlyList<byte[]?> requests, CancellationToken cancellation = default)
        {
            if (requests.Count != grains.Count) throw new ArgumentException($"{requests.Count} requests for {grains.Count} holders");
            var calls = requests.Select((r, i) => r is null ? Task.FromResult<HolderAnswer?>(null)
                : held.Call(holders[i], during, async () => (HolderAnswer?)await grains[i].Ask(use, r))).ToArray();
            var answers = Task.WhenAll(calls).WaitAsync(cancellation).GetAwaiter().GetResult();
            lock (held.result)
            {
                held.result.HeldRowsMessages += requests.Count(r => r is not null);
                held.result.HeldRowsBytesSent += requests.Sum(r => r?.LongLength ?? 0);
                held.result.HeldRowsBytesReceived += answers.Sum(a => a?.Data?.LongLength ?? 0);
            }
            foreach (var a in answers)
                if (a?.Error is { } error) throw a.InputError ? new PluginInputException(error) : new ClusterException(error);
            return answers.Select(a => a?.Data).ToArray();
        }

        public void Dispose()
        {
            try { Task.WhenAll(grains.Select(g => g.Close(use))).Wait(TimeSpan.FromSeconds(10)); } catch (Exception) { /* the silos drop it with the run */ }
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            cluster.Client.GetGrain<IClusterBoard>(0).RemoveJob(jobId).Wait(TimeSpan.FromSeconds(10));
            cluster.Client.GetGrain<IExtractionCoordinator>(jobId).Close().Wait(TimeSpan.FromSeconds(10));
        }
        catch (Exception) { /* the run's outcome is decided; silos drop the job when it leaves the board */ }
    }
}
