using System.Diagnostics;
using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Statistics;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Client;

/// <summary>The pipeline's extraction on a cluster. The coordinator (this process) plans the
/// extraction exactly as a local run does, cuts the plan's batches into shards (consecutive
/// batches, so consecutive sentences: deterministic from the corpus and the batch size), starts an
/// <see cref="IExtractionCoordinator"/> grain that hands them to the silos, receives every shard's
/// rows and appends them to its own local store in sentence order. The store is the one a local
/// run writes, byte for byte (same batches, same code), so every later stage — every ranking,
/// probe and intervention, third-party plugins included — gives a local run's results.
/// A silo that leaves the cluster mid-run loses its unfinished shards to the others.</summary>
public sealed class ClusterExtractStage(ClusterConnection cluster, int batchesPerShard = 4) : IPipelineStage
{
    public string Name => ExtractionJob.ProgressStage;
    /// <summary>How long the coordinator grain may stay unreachable (its silo died and membership has not yet declared it) before the run gives up.</summary>
    public TimeSpan CoordinatorPatience { get; init; } = TimeSpan.FromSeconds(90);
    /// <summary>Every shard table the client receives (several a second), and the last one again
    /// every second while the coordinator does not answer. Raised on the extraction's thread: a
    /// handler keeps the update and returns (the TUI redraws from it on its own timer).</summary>
    public event Action<ClusterProgress>? SiloProgress;

    public void Run(PipelineState s) => RunAsync(s).GetAwaiter().GetResult();

    private async Task RunAsync(PipelineState s)
    {
        var c = s.Config;
        var clock = Stopwatch.StartNew();
        string storeDir = ExtractStage.StoreDirectory(c);
        var model = s.Need(s.Model, "the model");
        var options = new ExtractionOptions
        {
            Corpus = s.Need(s.Corpus, "the corpus"),
            HookPoints = c.ResolvedHookPoints(),
            OutputDirectory = storeDir,
            Aggregation = c.Aggregation switch { "first" => WordAggregation.First, "mean" => WordAggregation.Mean, _ => WordAggregation.Last },
            ModelDirectory = c.ModelDir,
        };
        var plan = PreparedExtraction.Start(model, options);
        plan.PlanSequences();
        var result = new ClusterRunResult { Redis = cluster.Address.ToString(), BatchesPerShard = batchesPerShard };
        s.Results.Cluster = result;
        s.Results.Identity.HookPoints = c.ResolvedHookPoints();
        s.Results.Identity.Aggregation = c.Aggregation;
        s.Results.Identity.Neurons = plan.Columns;
        // Every plugin runs from statistics or over rows the silos keep, and no store of these rows
        // is here yet: the rows stay on the silos.
        var held = MomentRankings.OverHeldRows(c, s.Plugins);
        var heldProbes = MomentRankings.ProbesOverHeldRows(c, s.Plugins);
        if (MomentRankings.NeedRows(c, s.Plugins).Count == 0 && (MomentRankings.FromMoments(c, s.Plugins).Count > 0 || held.Count > 0)
            && !File.Exists(Path.Combine(storeDir, StoreManifest.FileName)))
        {
            await Distribute(s, plan, null, result, held.Select(u => u.DisplayName).ToList(), heldProbes.Select(u => u.DisplayName).ToList());
            result.ExtractSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
            if (s.TrainMoments is not null)
            {
                var how = new List<string>();
                if (s.TrainMoments.Rankings.Count > 0) how.Add($"{string.Join(", ", s.TrainMoments.Rankings)} ran from merged class moments");
                if (held.Count + heldProbes.Count > 0) how.Add($"{string.Join(", ", held.Concat(heldProbes).Select(u => u.DisplayName))} ran over the rows where they are");
                s.RowsElsewhere = new RowsElsewhere(plan.Table,
                    plan.Hooks.SelectMany(h => Enumerable.Range(0, h.Width).Select(i => new NeuronRef(h.Name, i))).ToArray(),
                    $"run --cluster kept them on the silos: {string.Join("; ", how)}");
                return;
            }
            throw new ClusterException("the silos sent no class moments, and the rows stayed on them");
        }
        using (var writer = StoreWriter.Open(storeDir, plan.Wanted, plan.Sidecar, force: false, s.Progress, s.Cancellation))
        {
            if (writer.State == StoreOpenState.Reused)
            {
                result.Note = $"the store {storeDir} was already complete; nothing was sent to the cluster";
                s.Log.Info(result.Note);
            }
            else await Distribute(s, plan, writer, result);
            writer.Finish();
        }
        result.ExtractSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        if (string.IsNullOrEmpty(c.StoreDir)) Core.Assets.StoreCache.Touch(storeDir);
        s.Store = ActivationStore.Open(storeDir, verifyHashes: false);
    }

    /// <param name="writer">null: the rows stay on the silos (only their class moments come).</param>
    /// <param name="heldRankings">With no writer: the rankings that run over the rows the silos keep (none, and no probe: the silos keep nothing).</param>
    /// <param name="heldProbes">With no writer: the probes that run over the rows the silos keep.</param>
    private async Task Distribute(PipelineState s, PreparedExtraction plan, StoreWriter? writer, ClusterRunResult result,
        IReadOnlyList<string>? heldRankings = null, IReadOnlyList<string>? heldProbes = null)
    {
        bool holdRows = writer is null && (heldRankings is { Count: > 0 } || heldProbes is { Count: > 0 });
        // A resumed store keeps the batch size it was started with (its bytes must match).
        int batchSize = (writer?.Manifest ?? plan.Wanted).Extraction?.BatchSize ?? 16;
        int batches = plan.BatchCount(batchSize);
        var shards = new List<ShardSpec>();
        for (int b = 0, i = 0; b < batches; b += batchesPerShard, i++)
        {
            int end = Math.Min(batches, b + batchesPerShard);
            var (r0, r1) = plan.RowsOf(b, end, batchSize);
            var (s0, s1) = plan.SentencesOf(b, end, batchSize);
            shards.Add(new ShardSpec { Index = i, FirstBatch = b, EndBatch = end, FirstRow = r0, EndRow = r1, FirstSentence = s0, EndSentence = s1, Tokens = plan.TokensOf(b, end, batchSize) });
        }
        result.Shards = shards.Count;
        // Rows a resumed store already holds are not asked for again.
        var needed = shards.Where(x => x.EndRow > (writer?.NextRow ?? 0)).ToList();
        var moments = MomentsPlan(s, plan, shards, needed, result, holdRows);
        if (writer is null && moments is null) return;
        var spec = new ClusterJobSpec
        {
            JobId = Guid.NewGuid().ToString("N")[..16],
            ModelDir = Path.GetFullPath(s.Config.ModelDir),
            ModelHash = plan.ModelHash ?? "",
            CorpusPath = Path.GetFullPath(s.Config.Corpus.Path),
            MaxSentences = s.Config.Corpus.MaxSentences,
            CorpusHash = plan.CorpusHash,
            HookPoints = s.Config.ResolvedHookPoints().ToList(),
            Aggregation = s.Config.Aggregation,
            BatchSize = batchSize,
            BatchCount = batches,
            Columns = plan.Columns,
            Version = ClusterNames.Version,
            Statistics = moments is not null,
            SendRows = writer is not null,
            ClassCount = moments?.Task.ClassNames.Count ?? 0,
            HoldRows = holdRows && moments is not null,
        };
        result.JobId = spec.JobId;
        double totalTokens = shards.Sum(x => (double)x.Tokens), doneTokens = shards.Except(needed).Sum(x => (double)x.Tokens);
        s.Progress.Report(new ProgressReport(Name, doneTokens, totalTokens, "tokens"));
        s.Log.Info($"cluster {cluster.Address}: {needed.Count} shard(s) of {batchesPerShard} batches × {batchSize} sentences to extract (job {spec.JobId})");

        var folder = Directory.CreateTempSubdirectory("neuronhost-cluster-");
        var receiver = new ShardReceiver(spec.JobId, folder.FullName, needed.ToDictionary(x => x.Index, x => (x.EndRow - x.FirstRow) * plan.Columns * 4),
            moments?.Labels, spec.ClassCount, plan.Columns, rowsWanted: writer is not null);
        var sink = cluster.Client.CreateObjectReference<IShardSink>(receiver);
        var coordinator = cluster.Client.GetGrain<IExtractionCoordinator>(spec.JobId);
        var board = cluster.Client.GetGrain<IClusterBoard>(0);
        var progress = new SiloProgressLines(spec.JobId, s.Log);
        CoordinatorState? lastState = null;
        void Observe(CoordinatorState? state, DateTime? unansweredSince)
        {
            if (state is not null) lastState = state;
            if (lastState is not null) SiloProgress?.Invoke(new ClusterProgress(cluster.Address.ToString(), spec.JobId, lastState, unansweredSince));
        }
        async Task<CoordinatorState> PollPatiently()
        {
            DateTime? unreachableSince = null;
            while (true)
            {
                s.Cancellation.ThrowIfCancellationRequested();
                try
                {
                    // A call to a grain on a dead silo hangs until Orleans' response timeout (30 s); the log keeps its beat meanwhile.
                    // Silos that keep the rows report their shards done themselves: a receipt of moments
                    // could mark done again a shard whose silo (and rows) was lost after it sent them.
                    var call = coordinator.Poll(sink, spec.HoldRows ? [] : receiver.Receipts());
                    var askedAt = DateTime.UtcNow;
                    // A poll answers in milliseconds; one outstanding for half a second when the log's beat is due gets the "does not answer" line.
                    while (await Task.WhenAny(call, Task.Delay(250, s.Cancellation)) != call)
                    {
                        s.Cancellation.ThrowIfCancellationRequested();
                        var outstanding = DateTime.UtcNow - askedAt;
                        if (outstanding > TimeSpan.FromSeconds(0.5)) progress.Waiting(unreachableSince ?? askedAt);
                        if (outstanding > TimeSpan.FromSeconds(5)) Observe(null, unreachableSince ?? askedAt);   // the TUI's panel says so only when it lasts
                    }
                    return await call;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The coordinator's silo died: Orleans reactivates the grain elsewhere from Redis once membership declares it dead.
                    if (unreachableSince is null) s.Log.Warn($"the coordinator of job {spec.JobId} does not answer ({ClusterAddress.FirstLine(e.Message)}); waiting for Orleans to reactivate it from its state in Redis");
                    unreachableSince ??= DateTime.UtcNow;
                    progress.Waiting(unreachableSince.Value);
                    Observe(null, unreachableSince);
                    if (DateTime.UtcNow - unreachableSince > CoordinatorPatience)
                        throw new ClusterException($"the coordinator of job {spec.JobId} has been unreachable for {CoordinatorPatience.TotalSeconds:0} s: {ClusterAddress.FirstLine(e.Message)}", e);
                    await Task.Delay(500, s.Cancellation);
                }
            }
        }
        try
        {
            await coordinator.Start(spec, needed);
            await coordinator.Poll(sink, []);
            await board.AddJob(spec.JobId);
            int next = 0;
            CoordinatorState? latest = null;
            // With rows kept on the silos, the run also waits until the grain lists every shard done
            // by a live silo (a lost silo's finished shards are extracted again).
            bool Finished() => next >= needed.Count && (!spec.HoldRows || (latest is not null && latest.Shards.All(x => x.Status == ShardStatus.Done)));
            while (!Finished())
            {
                var state = latest = await PollPatiently();
                if (state.Error is { } error) throw new ClusterException(error);
                progress.Update(state);
                Observe(state, null);
                // Append, in sentence order, every shard whose rows are here.
                while (next < needed.Count && receiver.Has(needed[next].Index))
                {
                    var shard = needed[next];
                    if (writer is not null)
                    {
                        AppendShard(receiver.PathOf(shard.Index), shard, plan.Columns, writer, s.Cancellation);
                        File.Delete(receiver.PathOf(shard.Index));
                    }
                    doneTokens += shard.Tokens;
                    s.Progress.Report(new ProgressReport(Name, doneTokens, totalTokens, "tokens"));
                    next++;
                }
                if (!Finished()) await Task.Delay(200, s.Cancellation);
            }
            // Once more: the receipts of the last shards reach the grain, so its table is complete.
            var final = await PollPatiently();
            progress.Update(final, force: true);
            Observe(final, null);
            List<SiloView> silos = [];
            try { silos = await cluster.Silos(); } catch (Exception) { /* versions are only a label in results.json */ }
            Record(result, final, silos);
            if (moments is not null)
            {
                var train = moments.Task.Train;
                var merged = ShardMomentsMerge.Merge(receiver.Moments(), spec.ClassCount, plan.Columns);
                s.TrainMoments = new MergedTrainMoments(merged, train.Rows, train.Labels, moments.Rankings, $"the class moments of {needed.Count} shards merged in shard order");
                result.RankingsFromMoments = moments.Rankings.ToList();
                if (spec.HoldRows)
                    s.HeldRows = new ClusterHeldRows(cluster, spec.JobId, final, moments.Labels.ToDictionary(kv => kv.Key, kv => kv.Value.Count(l => l >= 0)),
                        train.Rows, train.Labels, heldRankings ?? [], heldProbes ?? [], result);
            }
        }
        finally
        {
            result.BytesReceived = receiver.BytesReceived;
            result.MomentBytesReceived = receiver.MomentBytesReceived;
            result.LabelBytesSent = receiver.LabelBytesSent;
            // With rows kept on the silos the run stays on the board until its rankings are done (ClusterHeldRows ends it).
            if (s.HeldRows is null)
                try { await board.RemoveJob(spec.JobId); await coordinator.Close(); } catch (Exception) { /* the run's outcome is decided; silos drop the job when it leaves the board */ }
            cluster.Client.DeleteObjectReference<IShardSink>(sink);
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Moments(LabelledTask Task, IReadOnlyList<string> Rankings, Dictionary<int, int[]> Labels);

    /// <summary>Whether the silos compute class moments for this run, and the train labels of each
    /// shard's rows if so: the task is built here, before extraction, from the same token table and
    /// options the task stage uses afterwards (which checks that its train rows are these). Logs
    /// which rankings run from the moments and what still needs the rows here.</summary>
    private static Moments? MomentsPlan(PipelineState s, PreparedExtraction plan, List<ShardSpec> shards, List<ShardSpec> needed, ClusterRunResult result,
        bool holdRows)
    {
        var c = s.Config;
        var uses = MomentRankings.FromMoments(c, s.Plugins);
        result.RowsNeededBy = MomentRankings.NeedRows(c, s.Plugins).ToList();
        s.Log.Info(result.RowsNeededBy.Count > 0
            ? $"every row goes to the coordinator: {string.Join(", ", result.RowsNeededBy)} need(s) all rows in one place"
            : "no row leaves the silos: every ranking and probe runs from their class moments or over the rows where they are (no contexts or intervention needs rows)");
        if (uses.Count == 0 && !holdRows) return null;
        var names = uses.Select(u => u.DisplayName).ToList();
        if (needed.Count != shards.Count)
        {
            s.Log.Info($"the store was resumed ({shards.Count - needed.Count} shard(s) already here): {string.Join(", ", names)} run(s) from the rows");
            return null;
        }
        LabelledTask task;
        try { task = TaskBuilder.Build(plan.Table, TaskSpec.Parse(c.Task.Name), BuildTaskStage.Options(c)); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            s.Log.Info($"no class moments on the silos ({e.Message}); the task stage will say more");
            return null;
        }
        var labels = shards.ToDictionary(x => x.Index, x => Enumerable.Repeat(-1, (int)(x.EndRow - x.FirstRow)).ToArray());
        var train = task.Train;
        int shard = 0;
        for (int i = 0; i < train.Count; i++)
        {
            long row = train.Rows[i];
            while (row >= shards[shard].EndRow) shard++;
            if (holdRows && train.Labels[i] < 0) throw new ClusterException($"train row {row} has no class; the silos cannot keep the train rows apart");
            labels[shards[shard].Index][row - shards[shard].FirstRow] = train.Labels[i];
        }
        if (names.Count > 0) s.Log.Info($"{string.Join(", ", names.Select(n => $"ranking '{n}'"))} run(s) from class moments computed on the silos, shard by shard");
        if (holdRows) s.Log.Info("the silos keep their shards' rows and train labels until the rankings and probes over them are done");
        return new Moments(task, names, labels);
    }

    private static void AppendShard(string path, ShardSpec shard, int columns, StoreWriter writer, CancellationToken cancellation)
    {
        const int rowsPerRead = 512;
        var values = new float[rowsPerRead * columns];
        using var file = File.OpenRead(path);
        for (long row = shard.FirstRow; row < shard.EndRow; row += rowsPerRead)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = (int)Math.Min(rowsPerRead, shard.EndRow - row);
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(0, n * columns));
            file.ReadExactly(bytes);
            writer.Append(row, values.AsSpan(0, n * columns), n);
        }
    }

    private static void Record(ClusterRunResult result, CoordinatorState state, List<SiloView> silos)
    {
        // One entry per silo process that asked for work, with the shards it finished (none for one
        // lost with its first shard in hand): a silo restarted under the same name is listed again,
        // with its new address.
        var done = state.Shards.Where(x => x.Status == ShardStatus.Done).ToLookup(x => x.Incarnation);
        var processes = state.Incarnations.Select(i => (i.Name, i.Address, i.JoinedDuringRun)).ToList();
        foreach (var g in done.Where(g => processes.All(p => p.Address != g.Key)))
            processes.Add((g.First().Silo, g.Key, false));   // not expected: a silo asks before it works
        foreach (var (name, address, joinedDuringRun) in processes.OrderBy(p => p.Name, StringComparer.Ordinal))
            result.Silos.Add(new ClusterSiloResult
            {
                Name = name, Address = address, Version = silos.FirstOrDefault(v => v.Name == name)?.Version ?? "",
                Shards = done[address].Select(x => x.Spec.Index).Order().ToList(), Bytes = done[address].Sum(x => x.Bytes),
                JoinedDuringRun = joinedDuringRun,
            });
        result.LostSilos = state.LostSilos.ToList();
        result.CoordinatorSilos = state.Hosts.ToList();
        foreach (var r in state.Reassigned)
            result.ReassignedShards.Add(new ClusterReassignment
            {
                Shard = r.Shard, FromSilo = r.FromSilo, Reason = r.Reason,
                ToSilo = state.Shards.FirstOrDefault(x => x.Spec.Index == r.Shard)?.Silo ?? "",
            });
    }
}
