using System.Runtime.InteropServices;
using NeuronHost.Cluster.Contracts;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Silo;

/// <summary>This silo's shards of the runs whose rows stay on the silos (their files and train
/// labels), and the ranking and probe services open over them. The plugins are this host's, loaded as the
/// CLI loads them, once, when the first service opens.</summary>
public sealed class HeldShards(SiloSettings settings) : IDisposable
{
    private sealed record Shard(string Path, int[] Labels, IReadOnlyList<NeuronRef> Neurons);
    private readonly object gate = new();
    private int messages;
    private readonly Dictionary<string, Dictionary<int, Shard>> shards = [];
    private readonly Dictionary<(string Job, string Use), IHeldRowsService> services = [];
    private readonly Dictionary<(string Job, int Shard), float[]> loaded = [];
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
            foreach (var key in loaded.Keys.Where(k => k.Job == job).ToList()) loaded.Remove(key);
            foreach (var key in services.Keys.Where(k => k.Job == job).ToList()) { services[key].Dispose(); services.Remove(key); }
        }
    }

    /// <summary>Null, or one line naming this silo and what it cannot do.</summary>
    public string? Open(HeldRowsOpening o, CancellationToken cancellation)
    {
        if (o.Probe) return OpenProbe(o, cancellation);
        string silo = $"silo {settings.Name}";
        var (ranking, refused) = SamePlugin<IRankingMethod, IRankingOverHeldRows>(o, "ranking");
        if (ranking is null) return refused;
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
        Keep(o, service);
        return null;
    }

    /// <summary>A probe's service over this silo's rows of the train, dev and test splits: the
    /// shards' rows are read once per run and shared by every probe line (the task's labels, the
    /// control task's), which only gathers the columns each training selects.</summary>
    private string? OpenProbe(HeldRowsOpening o, CancellationToken cancellation)
    {
        string silo = $"silo {settings.Name}";
        var (probe, refused) = SamePlugin<IProbe, IProbeOverHeldRows>(o, "probe");
        if (probe is null) return refused;
        var splits = new List<HeldRowsPart>[] { [], [], [] };
        IReadOnlyList<NeuronRef> neurons = [];
        foreach (var part in o.Splits)
        {
            if (part.Split is < 0 or > 2) return $"{silo}: split {part.Split} of shard {part.Shard} is not train, dev or test";
            if (part.Labels.Length != part.Offsets.Length) return $"{silo}: {part.Labels.Length} labels for {part.Offsets.Length} rows of shard {part.Shard}";
            Shard? shard;
            lock (gate) shard = shards.GetValueOrDefault(o.JobId)?.GetValueOrDefault(part.Shard);
            if (shard is null) return $"{silo} does not have the rows of shard {part.Shard} of run {o.JobId}";
            neurons = shard.Neurons;
            ShardRowsMatrix rows;
            try { rows = new ShardRowsMatrix(RowsOf(o.JobId, part.Shard, shard, cancellation), shard.Neurons, part.Offsets); }
            catch (InvalidDataException e) { return $"{silo}: shard {part.Shard}: {e.Message}"; }
            splits[part.Split].Add(new HeldRowsPart(part.FirstRow, rows, part.Labels));
        }
        var task = new HeldRowsTask(o.Task, o.ClassNames, neurons, o.TrainRows) { DevRows = o.DevRows, TestRows = o.TestRows };
        var context = new PluginContext(Kernels) { Cancellation = cancellation };
        IHeldRowsService service;
        try { service = probe.Serve(new HeldRows(splits[0], task) { Dev = splits[1], Test = splits[2] }, context); }
        catch (Exception e) { return $"{silo}: probe '{o.Use}' cannot serve its rows: {ClusterAddress.FirstLine(e.Message)}"; }
        Keep(o, service);
        return null;
    }

    /// <summary>The opening's plugin, the same type and version as the coordinator's, created here
    /// with its parameters; or null and one line naming this silo and why not.</summary>
    private (TOverHeldRows? Plugin, string? Refused) SamePlugin<TPlugin, TOverHeldRows>(HeldRowsOpening o, string kind)
        where TPlugin : class, IPlugin where TOverHeldRows : class
    {
        string silo = $"silo {settings.Name}";
        if (catalog.Value.Find(o.Plugin) is not { } plugin) return (null, $"{silo}: no plugin '{o.Plugin}' is installed on this host");
        if (plugin.Type.FullName != o.PluginType || plugin.Version.ToString() != o.PluginVersion)
            return (null, $"{silo}: plugin '{o.Plugin}' is {plugin.Type.FullName} {plugin.Version} here, {o.PluginType} {o.PluginVersion} on the coordinator: install the same plugins on every host");
        try
        {
            return catalog.Value.Create<TPlugin>(o.Plugin, o.Parameters) is TOverHeldRows over ? (over, null)
                : (null, $"{silo}: {kind} '{o.Plugin}' cannot run over held rows");
        }
        catch (PluginException e) { return (null, $"{silo}: {e.Message}"); }
    }

    private void Keep(HeldRowsOpening o, IHeldRowsService service)
    {
        lock (gate)
        {
            if (services.Remove((o.JobId, o.Use), out var old)) old.Dispose();
            services[(o.JobId, o.Use)] = service;
        }
    }

    /// <summary>Every row of the shard's file, read once per run.</summary>
    private float[] RowsOf(string job, int index, Shard shard, CancellationToken cancellation)
    {
        lock (gate)
            if (loaded.TryGetValue((job, index), out var rows)) return rows;
        int columns = shard.Neurons.Count;
        long expected = (long)shard.Labels.Length * columns * 4, length = new FileInfo(shard.Path).Length;
        if (length != expected) throw new InvalidDataException($"{shard.Path}: {length} bytes, not {shard.Labels.Length} rows × {columns} × 4");
        var x = new float[(long)shard.Labels.Length * columns];
        using (var file = File.OpenRead(shard.Path))
            for (int r = 0; r < shard.Labels.Length; r++)
            {
                if ((r & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                file.ReadExactly(MemoryMarshal.AsBytes(x.AsSpan(r * columns, columns)));
            }
        lock (gate)
        {
            if (!shards.ContainsKey(job)) return x;   // the run ended meanwhile: not kept
            return loaded.TryAdd((job, index), x) ? x : loaded[(job, index)];
        }
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
        lock (gate) { foreach (var s in services.Values) s.Dispose(); services.Clear(); shards.Clear(); loaded.Clear(); }
        if (catalog.IsValueCreated) catalog.Value.Dispose();
    }
}
