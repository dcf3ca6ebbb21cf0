using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Silo;

namespace NeuronHost.Cluster.Grains;

/// <summary>See <see cref="IRowHolderGrain"/>: lives on the silo whose rows it serves and hands
/// each message to that silo's <see cref="HeldShards"/>, off Orleans' scheduler (a pass over a
/// silo's rows takes seconds).</summary>
[RowHolderPlacement]
public sealed class RowHolderGrain(HeldShards held) : Grain, IRowHolderGrain
{
    private string Job => this.GetPrimaryKeyString().Split('|')[0];

    public Task<string?> Open(HeldRowsOpening opening) =>
        opening.JobId != Job ? Task.FromResult<string?>($"a ranking of run {opening.JobId} was opened on the holder of run {Job}")
        : Task.Run(() => held.Open(opening, CancellationToken.None));

    public Task<HolderAnswer> Ask(string use, byte[] request) => Task.Run(() => held.Ask(Job, use, request, CancellationToken.None));

    public Task Close(string use)
    {
        held.Close(Job, use);
        return Task.CompletedTask;
    }
}
