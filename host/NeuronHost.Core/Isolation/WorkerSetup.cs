using NeuronHost.Core.Plugins;
using NeuronHost.Data.Store;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>What a worker needs to run one plugin: where to find it (the host's plugin folders),
/// its parameters, the seed and kernel backend, and the activations as a store folder plus the
/// store rows of each split — the worker maps the same shard files, nothing is copied.</summary>
internal sealed record WorkerSetup(
    string Plugin,
    PluginKind Kind,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<PluginFolder> Folders,
    int Seed,
    string Backend,
    string StoreDirectory,
    long[]?[] SplitRows,
    bool[] SplitPresent,
    string Task,
    IReadOnlyList<string> ClassNames)
{
    /// <summary>Interventions: the model folder the worker opens itself ("" for other kinds).</summary>
    public string ModelDirectory { get; init; } = "";
    /// <summary>Interventions: the probe the worker trains on all neurons for the intervention to
    /// re-evaluate ("" for none), and its parameters.</summary>
    public string ProbePlugin { get; init; } = "";
    public IReadOnlyDictionary<string, string> ProbeParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The setup for this data, or null when its activations are not read from a store
    /// (then the plugin runs in process, guarded).</summary>
    public static WorkerSetup? For(string plugin, PluginKind kind, IReadOnlyDictionary<string, string>? parameters,
        IReadOnlyList<PluginFolder> folders, int seed, string backend, ProbingData data)
    {
        var splits = new[] { data.Train, data.Dev, data.Test };
        var locations = splits.Select(s => s is null ? null : ActivationStore.Locate(s.Activations)).ToArray();
        var first = locations[0];
        if (first is null) return null;
        for (int i = 0; i < 3; i++)
            if (splits[i] is not null && (locations[i] is null || locations[i]!.Directory != first.Directory)) return null;
        return new WorkerSetup(plugin, kind, parameters ?? new Dictionary<string, string>(), folders, seed, backend, first.Directory,
            locations.Select(l => l?.Rows).ToArray(), splits.Select(s => s is not null).ToArray(), data.Task, data.ClassNames);
    }

    /// <summary>The worker loads only the plugin's own assembly (a catalog path may name one .dll),
    /// not every plugin folder: that is most of a worker's start-up time.</summary>
    public static IReadOnlyList<PluginFolder> FolderOf(LoadedPlugin plugin) => [new PluginFolder(plugin.AssemblyPath, plugin.Source.Origin)];

    public void Write(BinaryWriter w)
    {
        w.Write(Plugin);
        w.Write((byte)Kind);
        w.Write(Parameters.Count);
        foreach (var (k, v) in Parameters) { w.Write(k); w.Write(v); }
        w.Write(Folders.Count);
        foreach (var f in Folders) { w.Write(f.Path); w.Write(f.Origin); }
        w.Write(Seed);
        w.Write(Backend);
        w.Write(StoreDirectory);
        for (int i = 0; i < 3; i++) { w.Write(SplitPresent[i]); w.Write(SplitRows[i]); }
        w.Write(Task);
        w.WriteStrings(ClassNames);
        w.Write(ModelDirectory);
        w.Write(ProbePlugin);
        w.Write(ProbeParameters.Count);
        foreach (var (k, v) in ProbeParameters) { w.Write(k); w.Write(v); }
    }

    public static WorkerSetup Read(BinaryReader r)
    {
        string plugin = r.ReadString();
        var kind = (PluginKind)r.ReadByte();
        var parameters = ReadParameters(r);
        var folders = new List<PluginFolder>();
        for (int i = r.ReadInt32(); i > 0; i--) folders.Add(new PluginFolder(r.ReadString(), r.ReadString()));
        int seed = r.ReadInt32();
        string backend = r.ReadString();
        string store = r.ReadString();
        var present = new bool[3];
        var rows = new long[]?[3];
        for (int i = 0; i < 3; i++) { present[i] = r.ReadBoolean(); rows[i] = r.ReadLongsOrNull(); }
        return new WorkerSetup(plugin, kind, parameters, folders, seed, backend, store, rows, present, r.ReadString(), r.ReadStrings())
        {
            ModelDirectory = r.ReadString(),
            ProbePlugin = r.ReadString(),
            ProbeParameters = ReadParameters(r),
        };
    }

    private static Dictionary<string, string> ReadParameters(BinaryReader r)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = r.ReadInt32(); i > 0; i--) parameters[r.ReadString()] = r.ReadString();
        return parameters;
    }
}
