using System.Runtime.InteropServices;
using NeuronHost.Cluster.Contracts;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Silo;

/// <summary>This silo's shards of the runs whose rows stay on the silos (their files and train
/// labels), and the ranking services open over them. The plugins are this host's, loaded as the
/// CLI loads them, once, when the first service opens.</summary>
public sealed class HeldShards(SiloSettings settings) : IDisposable
{
    private sealed record Shard(string Path, int[] Labels, IReadOnlyList<NeuronRef> Neurons);
    private readonly object gate = new();
    private int messages;
    private readonly Dictionary<string, Dictionary<int, Shard>> shards = [];
    private readonly Dictionary<(string Job, string Use), IHeldRowsService> services = [];
    private readonly Lazy<PluginCatalog> catalog = new(() => PluginCatalog.LoadDefault());
    private static readonly IComputeKernels Kernels = new NeuronHost.Kernels.Cpu.CpuKernels();

    public void Add(string job, int shard, string path, int[] labels, IReadOnlyList<NeuronRef> neurons)
    {
        lock (gate)
        {
            if (!shards.TryGetValue(job, out var held)) shards[job] = held = [];
            held[shard] = new Shard(path, labels, neurons);
        }
    }

    /// <summary>The run is over: its services stop and its shards are forgotten (the worker removes the files).</summary>
    public void Drop(string job)
    {
        lock (gate)
        {
            shards.Remove(job);
            foreach (var key in services.Keys.Where(k => k.Job == job).ToList()) { services[key].Dispose(); services.Remove(key); }
        }
    }

    /// <summary>Null, or one line naming this silo and what it cannot do.</summary>
    public string? Open(HeldRowsOpening o, CancellationToken cancellation)
    {
        string silo = $"silo {settings.Name}";
        if (catalog.Value.Find(o.Plugin) is not { } plugin) return $"{silo}: no plugin '{o.Plugin}' is installed on this host";
        if (plugin.Type.FullName != o.PluginType || plugin.Version.ToString() != o.PluginVersion)
            return $"{silo}: plugin '{o.Plugin}' is {plugin.Type.FullName} {plugin.Version} here, {o.PluginType} {o.PluginVersion} on the coordinator: install the same plugins on every host";
        IRankingOverHeldRows ranking;
        try
        {
            if (catalog.Value.Create<IRankingMethod>(o.Plugin, o.Parameters) is not IRankingOverHeldRows r)
                return $"{silo}: ranking '{o.Plugin}' cannot run over held rows";
            ranking = r;
        }
        catch (PluginException e) { return $"{silo}: {e.Message}"; }
        var parts = new List<HeldRowsPart>();
        IReadOnlyList<NeuronRef> neurons = [];
        foreach (var part in o.Parts)
        {
            Shard? shard;
            lock (gate) shard = shards.GetValueOrDefault(o.JobId)?.GetValueOrDefault(part.Shard);
            if (shard is null) return $"{silo} does not have the rows of shard {part.Shard} of run {o.JobId}";
            neurons = shard.Neurons;
            var (x, labels) = TrainRowsOf(shard, cancellation);
            if (labels.Length != part.TrainRows)
                return $"{silo}: shard {part.Shard} has {labels.Length} train rows here, {part.TrainRows} for the coordinator";
            parts.Add(new HeldRowsPart(part.FirstTrainRow, new DenseActivationMatrix(x, labels.Length, shard.Neurons), labels));
        }
        var task = new HeldRowsTask(o.Task, o.ClassNames, neurons, o.TrainRows);
        var context = new PluginContext(Kernels) { Cancellation = cancellation };
        IHeldRowsService service;
        try { service = ranking.Serve(new HeldRows(parts, task), context); }
        catch (Exception e) { return $"{silo}: ranking '{o.Use}' cannot serve its rows: {ClusterAddress.FirstLine(e.Message)}"; }
        lock (gate)
        {
            if (services.Remove((o.JobId, o.Use), out var old)) old.Dispose();
            services[(o.JobId, o.Use)] = service;
        }
        return null;
    }

    public HolderAnswer Ask(string job, string use, byte[] request, CancellationToken cancellation)
    {
        IHeldRowsService? service;
        lock (gate) service = services.GetValueOrDefault((job, use));
        if (service is null) return new HolderAnswer { Error = $"silo {settings.Name}: ranking '{use}' of run {job} is not open here" };
        if (Interlocked.Increment(ref messages) == settings.HoldHeldMessage)
        {
            Console.Error.WriteLine($"silo {settings.Name}: holding held-rows message {settings.HoldHeldMessage} (--hold-held-message) until stopped");
            Thread.Sleep(Timeout.Infinite);
        }
        try { return new HolderAnswer { Data = service.Answer(request, cancellation) }; }
        catch (Exception e) when (e is PluginInputException or NonFiniteActivationException)
        {
            return new HolderAnswer { Error = $"silo {settings.Name}: {ClusterAddress.FirstLine(e.Message)}", InputError = true };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HolderAnswer { Error = $"silo {settings.Name}: {e.GetType().Name}: {ClusterAddress.FirstLine(e.Message)}" };
        }
    }

    public void Close(string job, string use)
    {
        lock (gate) if (services.Remove((job, use), out var service)) service.Dispose();
    }

    /// <summary>The shard's train rows (label ≥ 0), in row order, and their labels.</summary>
    private static (float[] X, int[] Labels) TrainRowsOf(Shard shard, CancellationToken cancellation)
    {
        int columns = shard.Neurons.Count, rows = shard.Labels.Length;
        long expected = (long)rows * columns * 4, length = new FileInfo(shard.Path).Length;
        if (length != expected) throw new InvalidDataException($"{shard.Path}: {length} bytes, not {rows} rows × {columns} × 4");
        int train = shard.Labels.Count(l => l >= 0);
        var x = new float[(long)train * columns];
        var labels = new int[train];
        var row = new float[columns];
        using var file = File.OpenRead(shard.Path);
        for (int r = 0, t = 0; r < rows; r++)
        {
            if ((r & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            file.ReadExactly(MemoryMarshal.AsBytes(row.AsSpan()));
            if (shard.Labels[r] < 0) continue;
            row.CopyTo(x.AsSpan((int)((long)t * columns)));
            labels[t++] = shard.Labels[r];
        }
        return (x, labels);
    }

    public void Dispose()
    {
        lock (gate) { foreach (var s in services.Values) s.Dispose(); services.Clear(); shards.Clear(); }
        if (catalog.IsValueCreated) catalog.Value.Dispose();
    }
}
