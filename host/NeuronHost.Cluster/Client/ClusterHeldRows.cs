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
    private readonly ClusterConnection cluster;
    private readonly string jobId;
    private readonly List<(string Name, string Address, List<HeldPartSpec> Parts)> holders;
    private readonly ClusterRunResult result;
    private bool disposed;

    public string Where { get; }
    public long[] TrainRows { get; }
    public int[] TrainLabels { get; }
    public IReadOnlyList<string> Rankings { get; }

    /// <param name="trainRowsPerShard">Each shard's train rows, by shard index.</param>
    public ClusterHeldRows(ClusterConnection cluster, string jobId, CoordinatorState final, IReadOnlyDictionary<int, int> trainRowsPerShard,
        long[] trainRows, int[] trainLabels, IReadOnlyList<string> rankings, ClusterRunResult result)
    {
        this.cluster = cluster; this.jobId = jobId; this.result = result;
        TrainRows = trainRows; TrainLabels = trainLabels; Rankings = rankings;
        long first = 0;
        var parts = new List<(string Name, string Address, HeldPartSpec Part)>();
        foreach (var shard in final.Shards.OrderBy(x => x.Spec.Index))
        {
            if (shard.Status != ShardStatus.Done) throw new ClusterException($"shard {shard.Spec.Index} of run {jobId} is {shard.Status}, not done");
            int n = trainRowsPerShard[shard.Spec.Index];
            if (n > 0) parts.Add((shard.Silo, shard.Incarnation, new HeldPartSpec { Shard = shard.Spec.Index, FirstTrainRow = first, TrainRows = n }));
            first += n;
        }
        if (first != trainRows.Length) throw new ClusterException($"the shards of run {jobId} hold {first} train rows, the task {trainRows.Length}");
        holders = parts.GroupBy(p => (p.Name, p.Address)).OrderBy(g => g.Key.Name, StringComparer.Ordinal).ThenBy(g => g.Key.Address, StringComparer.Ordinal)
            .Select(g => (g.Key.Name, g.Key.Address, g.Select(p => p.Part).ToList())).ToList();
        Where = $"{holders.Select(h => h.Name).Distinct().Count()} silo(s) of {cluster.Address}";
    }

    public IRowHolders Open(PluginUse use, Type pluginType, Version pluginVersion, HeldRowsTask task, CancellationToken cancellation)
    {
        var grains = holders.Select(h => cluster.Client.GetGrain<IRowHolderGrain>($"{jobId}|{h.Address}")).ToList();
        var opening = holders.Select(h => new HeldRowsOpening
        {
            JobId = jobId, Use = use.DisplayName, Plugin = use.Plugin, PluginType = pluginType.FullName ?? "", PluginVersion = pluginVersion.ToString(),
            Parameters = new Dictionary<string, string>(use.Parameters), Task = task.Task, ClassNames = task.ClassNames.ToList(),
            TrainRows = task.TrainRows, Parts = h.Parts,
        }).ToList();
        var errors = Task.WhenAll(grains.Select((g, i) => Call(i, () => g.Open(opening[i])))).WaitAsync(cancellation).GetAwaiter().GetResult();
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new ClusterException(error);
        if (!result.RankingsOverHeldRows.Contains(use.DisplayName)) result.RankingsOverHeldRows.Add(use.DisplayName);
        return new Line(this, use.DisplayName, grains);
    }

    /// <summary>A call to holder i, watched: a silo that leaves the cluster meanwhile (membership
    /// declares it dead) fails the call then, not when the call's timeout ends; a silo that does
    /// not answer is named.</summary>
    private async Task<T> Call<T>(int i, Func<Task<T>> call)
    {
        using var done = new CancellationTokenSource();
        var work = call();
        var watch = WatchMembership(i, done.Token);
        try
        {
            if (await Task.WhenAny(work, watch) == watch) await watch;
            return await work;
        }
        catch (Exception e) when (e is not OperationCanceledException and not ClusterException)
        {
            string why = e is TimeoutException ? $"no answer in {IRowHolderGrain.HeldRowsTimeout} (it hangs, or the message is too large for this timeout)" : ClusterAddress.FirstLine(e.Message);
            throw new ClusterException($"{Describe(i)} did not answer: {why}", e);
        }
        finally
        {
            done.Cancel();
            _ = watch.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    private string Describe(int i) =>
        $"silo {holders[i].Name} ({holders[i].Address}), which holds train rows of shards {string.Join(", ", holders[i].Parts.Select(p => p.Shard))},";

    /// <summary>Every 2 s while a call runs: is holder i's silo still an active member? Ends with an
    /// exception when it is not; a membership read that fails is tried again.</summary>
    private async Task WatchMembership(int i, CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            bool alive;
            try { alive = (await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true)).Any(h => h.SiloAddress.ToParsableString() == holders[i].Address); }
            catch (Exception) when (!stop.IsCancellationRequested) { continue; }
            if (!alive) throw new ClusterException($"{Describe(i)} left the cluster during the ranking; those rows are gone with it");
        }
    }

    /// <summary>One ranking's line to the holders.</summary>
    private sealed class Line(ClusterHeldRows held, string use, List<IRowHolderGrain> grains) : IRowHolders, IDisposable
    {
        public IReadOnlyList<IReadOnlyList<(long First, long End)>> Ranges { get; } =
            held.holders.Select(h => (IReadOnlyList<(long, long)>)h.Parts.Select(p => (p.FirstTrainRow, p.FirstTrainRow + p.TrainRows)).ToList()).ToList();

        public string Name(int holder) => $"silo {held.holders[holder].Name}";

        public byte[]?[] Ask(IReadOnlyList<byte[]?> requests, CancellationToken cancellation = default)
        {
            if (requests.Count != grains.Count) throw new ArgumentException($"{requests.Count} requests for {grains.Count} holders");
            var calls = requests.Select((r, i) => r is null ? Task.FromResult<HolderAnswer?>(null)
                : held.Call(i, async () => (HolderAnswer?)await grains[i].Ask(use, r))).ToArray();
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
