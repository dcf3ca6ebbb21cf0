using NeuronHost.Core.Reports;

namespace NeuronHost.Cluster.Tests;

/// <summary>The reference both cluster runs are held to: the same YAML run locally (no cluster),
/// once, with its own store cache.</summary>
public sealed class LocalReferenceFixture : IAsyncLifetime
{
    public DirectoryInfo Temp { get; } = Directory.CreateTempSubdirectory("nh-cluster-");
    public RunResults Results { get; private set; } = null!;
    public List<string> ShardHashes { get; private set; } = [];
    public TimeSpan Elapsed { get; private set; }
    /// <summary>The local run's store cache (its store is the rows numpy's references read).</summary>
    public string Stores => Path.Combine(Temp.FullName, "local-stores");

    public async Task InitializeAsync()
    {
        if (RedisFactAttribute.RedisServer is null || !NeuronHost.Tests.Common.SharedAssets.Available) return;
        string stores = Stores, output = Path.Combine(Temp.FullName, "local");
        var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null, "run", AnalysisRun.WriteYaml(Temp.FullName, output));
        Assert.True(run.ExitCode == 0, $"local run failed ({run.ExitCode}):\n{run.Stderr}");
        Results = ResultsJson.Load(Path.Combine(output, ReportFolder.ResultsFile));
        ShardHashes = AnalysisRun.StoreShardHashes(stores);
        Elapsed = run.Elapsed;
    }

    public Task DisposeAsync()
    {
        try { Temp.Delete(recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<LocalReferenceFixture>
{
    public const string Name = "cluster runs against one local reference";
}
