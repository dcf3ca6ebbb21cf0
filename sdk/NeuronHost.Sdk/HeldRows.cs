namespace NeuronHost.Sdk;

/// <summary>A ranking that can run while the task's train rows stay on the hosts that extracted
/// them (a cluster's silos), when every step it takes over the rows is a reduction that merges
/// exactly (sums, counts, moments). The host runs <see cref="RankOverHeldRows"/> on the
/// coordinator; it talks to the holders only through <see cref="IRowHolders"/>, whose messages
/// each holder answers with the <see cref="IHeldRowsService"/> of <see cref="Serve"/>, created
/// on its host from the same plugin with the same parameters. The bytes of the messages are the
/// plugin's own protocol: the host carries them and never reads them. (SDK 1.3)</summary>
public interface IRankingOverHeldRows : IRankingMethod
{
    /// <summary>Null when this use (its parameters as set) can rank over held train rows; else,
    /// in a few words, what needs the rows in one place (the host then sends them to the coordinator
    /// and says so).</summary>
    string? WhyRowsNeeded();

    /// <summary>On the coordinator: the ranking <see cref="IRankingMethod.Rank"/> would give on
    /// the same train rows, computed from the holders' answers.</summary>
    Ranking RankOverHeldRows(HeldRowsTask task, IRowHolders holders, IPluginContext context);

    /// <summary>On a holder: the service that answers this plugin's messages over the rows it holds.</summary>
    IHeldRowsService Serve(HeldRows rows, IPluginContext context);
}

/// <summary>What the coordinator knows of a task whose train rows are held elsewhere: the
/// classes, the neurons (columns) and how many train rows there are.</summary>
public sealed record HeldRowsTask(string Task, IReadOnlyList<string> ClassNames, IReadOnlyList<NeuronRef> Neurons, long TrainRows)
{
    public int ClassCount => ClassNames.Count;
    /// <summary>The dev and test rows the holders keep (0 for a ranking's task: only train rows are held). (SDK 1.4)</summary>
    public long DevRows { get; init; }
    public long TestRows { get; init; }
}

/// <summary>A contiguous run of the train split's rows, [FirstRow, FirstRow + Activations.Rows)
/// in the split's order, with their labels (class indices).</summary>
public sealed record HeldRowsPart(long FirstRow, IActivationMatrix Activations, ReadOnlyMemory<int> Labels);

/// <summary>The train rows one holder has: its parts in row order (not adjacent in general: the
/// other holders have the rows between them).</summary>
public sealed record HeldRows(IReadOnlyList<HeldRowsPart> Parts, HeldRowsTask Task)
{
    /// <summary>For a probe: the holder's dev and test rows, FirstRow counted in their own split. (SDK 1.4)</summary>
    public IReadOnlyList<HeldRowsPart> Dev { get; init; } = [];
    public IReadOnlyList<HeldRowsPart> Test { get; init; } = [];
}

/// <summary>The coordinator's line to the holders of a task's train rows.</summary>
public interface IRowHolders
{
    /// <summary>Per holder, the train rows it has, [First, End), in row order. Together they
    /// cover the train split once.</summary>
    IReadOnlyList<IReadOnlyList<(long First, long End)>> Ranges { get; }

    /// <summary>A holder's name for messages ("silo east").</summary>
    string Name(int holder);

    /// <summary>Sends requests[h] to holder h (none where it is null), all at once, and returns
    /// the answers in holder order (null where nothing was sent). A holder that fails or cannot
    /// be reached throws an exception naming it.</summary>
    byte[]?[] Ask(IReadOnlyList<byte[]?> requests, CancellationToken cancellation = default);
}

/// <summary>A holder's side of a ranking over held rows: answers one message at a time.</summary>
public interface IHeldRowsService : IDisposable
{
    byte[] Answer(byte[] request, CancellationToken cancellation);
}
