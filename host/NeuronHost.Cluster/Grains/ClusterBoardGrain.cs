using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Grains;

/// <summary>See <see cref="IClusterBoard"/>; persisted like the coordinator.</summary>
public sealed class ClusterBoardGrain(
    [PersistentState("board", ClusterNames.Storage)] IPersistentState<BoardState> board) : Grain, IClusterBoard
{
    public async Task Join(SiloInfo silo)
    {
        board.State.Silos.RemoveAll(s => s.Name == silo.Name);
        board.State.Silos.Add(silo);
        await board.WriteStateAsync();
    }

    public Task<List<SiloInfo>> Silos() => Task.FromResult(board.State.Silos);

    public async Task AddJob(string jobId)
    {
        if (board.State.Jobs.Contains(jobId)) return;
        board.State.Jobs.Add(jobId);
        await board.WriteStateAsync();
    }

    public async Task RemoveJob(string jobId)
    {
        if (board.State.Jobs.Remove(jobId)) await board.WriteStateAsync();
    }

    public Task<List<string>> Jobs() => Task.FromResult(board.State.Jobs);
}
