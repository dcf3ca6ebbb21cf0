using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Statistics;

namespace NeuronHost.Cluster.Silo;

/// <summary>The silo's worker: announces the silo on the board, then asks the coordinators of
/// the runs in progress for shards, extracts each into this silo's folder, sends its rows to the
/// run's client and reports it done. One shard at a time: the forward pass already uses every core.
/// When a run ends, the folder this silo made for it is removed.</summary>
internal sealed class ShardWorker(IGrainFactory grains, SiloSettings settings, IHostApplicationLifetime lifetime,
    Orleans.Runtime.ILocalSiloDetails here, HeldShards held) : BackgroundService
{
    /// <summary>This process among the silos of this name (endpoint and generation): a restarted silo is a new one.</summary>
    private string Incarnation => here.SiloAddress.ToParsableString();
    /// <summary>Bytes per observer call: large enough to keep the link busy, far below Orleans' message limit.</summary>
    private const int ChunkBytes = 4 << 20;
    private readonly Dictionary<string, SiloJob?> jobs = [];
    private int shardsStarted;
    /// <summary>Tries of each call to the client (idempotent): a call routed through a silo that just
    /// died times out (30 s) until membership declares it dead; one more try goes another way,
    /// instead of dropping the shard (which the coordinator would then reassign).</summary>
    private const int SinkAttempts = 3;
    /// <summary>The kernels a local run uses by default (CPU SIMD), for the shards' class moments.</summary>
    private static readonly NeuronHost.Kernels.Cpu.CpuKernels Kernels = new();

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult())) await started.Task.WaitAsync(stop);
        var board = grains.GetGrain<IClusterBoard>(0);
        await Retry(() => board.Join(new SiloInfo
        {
            Name = settings.Name, Version = ClusterNames.Version, StoreDir = settings.StoreDir,
            Endpoint = $"{settings.Advertised}:{settings.SiloPort} (gateway {settings.GatewayPort})",
            StartedUtc = DateTime.UtcNow, ProcessId = Environment.ProcessId,
        }), stop);
        Console.Error.WriteLine($"silo {settings.Name} ready ({ClusterNames.Version}; Redis {settings.Redis}; rows in {settings.StoreDir})");
        while (!stop.IsCancellationRequested)
        {
            bool worked = false;
            try
            {
                var active = await board.Jobs();
                foreach (var id in active)
                {
                    var coordinator = grains.GetGrain<IExtractionCoordinator>(id);
                    var assignment = await coordinator.Next(settings.Name, Incarnation);
                    if (assignment is null) continue;
                    await Execute(coordinator, assignment, stop);
                    worked = true;
                    break;
                }
                Forget(active);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // on the silo's stderr (its log shows errors only): a failing shard is otherwise retried in silence
                Console.Error.WriteLine($"silo {settings.Name}: warning: {e.GetType().Name}: {ClusterAddress.FirstLine(e.Message)}");
                await Task.Delay(1000, stop).ContinueWith(_ => { });
            }
            if (!worked) await Task.Delay(250, stop).ContinueWith(_ => { });
        }
        foreach (var job in jobs.Values) job?.Dispose();
    }

    private async Task Execute(IExtractionCoordinator coordinator, ShardAssignment a, CancellationToken stop)
    {
        var spec = a.Spec;
        if (!jobs.TryGetValue(spec.JobId, out var job))
        {
            try { job = await Task.Run(() => SiloJob.Open(spec, settings), stop); }
            catch (ClusterException e)
            {
                jobs[spec.JobId] = null;
                Console.Error.WriteLine(e.Message);
                await coordinator.Fail(settings.Name, e.Message);
                return;
            }
            jobs[spec.JobId] = job;
        }
        if (job is null) return;   // this silo already said why it cannot do this run
        var clock = Stopwatch.StartNew();
        int batchesDone = 0;
        var extract = Task.Run(() => job.Extract(a.Shard, stop, () => Interlocked.Increment(ref batchesDone)), stop);
        // Batch progress for the run's lines and `cluster status`, every 2 s (one-way calls; a lost one does not matter).
        for (int reported = 0; await Task.WhenAny(extract, Task.Delay(2000, stop)) != extract;)
            if (Volatile.Read(ref batchesDone) is var n && n != reported)
            {
                reported = n;
                try { await coordinator.Progress(settings.Name, a.Shard.Index, n); } catch (Exception) { }
            }
        var (path, bytes) = await extract;
        if (++shardsStarted == settings.HoldShard)
        {
            Console.Error.WriteLine($"silo {settings.Name}: holding shard {a.Shard.Index} (--hold-shard {settings.HoldShard}) until stopped");
            await Task.Delay(Timeout.Infinite, stop);
        }
        string statistics = "";
        if (spec.Statistics)
        {
            // The moments go first: they are small, and a run whose rankings need only them does not wait for the rows.
            int[] labels = [];
            await Retry(async () => labels = await a.Sink.TrainLabels(spec.JobId, a.Shard.Index), stop, SinkAttempts);
            var moments = await Task.Run(() => ShardStatistics.Compute(path, a.Shard.Index, spec.Columns, spec.ClassCount, labels, Kernels, stop), stop);
            await Retry(() => a.Sink.ReceiveMoments(spec.JobId, a.Shard.Index, settings.Name, Incarnation, moments), stop, SinkAttempts);
            statistics = $", class moments of {moments.Counts.Sum():N0} train rows ({moments.PayloadBytes:N0} bytes) sent first";
            // its rows stay here for the rankings that run over them, until the run ends
            if (spec.HoldRows)
            {
                held.Add(spec.JobId, a.Shard.Index, path, labels, job.Neurons);
                statistics += "; rows kept here";
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var buffer = new byte[spec.SendRows ? ChunkBytes : 0];
        if (!spec.SendRows) bytes = 0;
        else await using (var file = File.OpenRead(path))
        {
            long offset = 0;
            do
            {
                int n = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, stop);
                bool last = offset + n == bytes;
                var chunk = n == buffer.Length ? buffer : buffer[..n];
                long at = offset;
                await Retry(() => a.Sink.Receive(spec.JobId, a.Shard.Index, settings.Name, Incarnation, at, chunk, last), stop, SinkAttempts);
                offset += n;
            } while (offset < bytes);
        }
        // The coordinator grain may be between silos (its host died): keep trying for as long as the
        // client waits for it. The client's receipt marks the shard done anyway; this adds the time.
        await Retry(() => coordinator.Done(settings.Name, Incarnation, a.Shard.Index, bytes, seconds), stop, attempts: 180);
        Console.Error.WriteLine($"silo {settings.Name}: shard {a.Shard.Index} (sentences {a.Shard.FirstSentence}–{a.Shard.EndSentence - 1}) done in {seconds:0.0} s, {bytes:N0} bytes sent{statistics}");
    }

    /// <summary>Runs that are over: their models are closed and the folders this silo made for them removed.</summary>
    private void Forget(IReadOnlyCollection<string> active)
    {
        foreach (var id in jobs.Keys.Where(k => !active.Contains(k)).ToList())
        {
            held.Drop(id);
            if (jobs[id] is { } job)
            {
                job.Dispose();
                try { Directory.Delete(job.Folder, recursive: true); } catch (IOException) { }
            }
            jobs.Remove(id);
        }
    }

    private static async Task Retry(Func<Task> call, CancellationToken stop, int attempts = 20)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { await call(); return; }
            catch (Exception) when (attempt < attempts && !stop.IsCancellationRequested) { await Task.Delay(500, stop); }
        }
    }
}
