using NeuronHost.Core.Reports;
using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>Recovery beyond a lost silo: a silo that is killed and comes back takes work again,
/// and the run survives the death of the silo that hosts its coordinator grain (whose state is in
/// Redis). In both, the results are still the local run's: same store bytes, same rankings,
/// accuracies equal to 1e-6.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRecoveryTests(LocalReferenceFixture local, ITestOutputHelper output)
{
    [RedisFact]
    public async Task A_killed_silo_that_is_restarted_takes_the_remaining_shards_and_the_results_stay_the_same()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-restart-").FullName;
        try
        {
            // One silo, so that after the kill nobody but the restarted process can do the rest:
            // the test cannot pass by another silo finishing first. The coordinator grain lives on
            // it too, so the restarted silo also brings the run's state back from Redis.
            using var cluster = new LocalCluster(folder);
            // It finishes one shard and holds its second, so the kill always lands mid-shard.
            await cluster.StartSiloThatHolds("solo", shard: 2);
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var restarted = new TaskCompletionSource();
            var watch = Task.Run(async () =>
            {
                await cluster.KillOnLine("solo", LocalCluster.HoldingLine("solo"));
                await cluster.Restart("solo");   // same name and ports, as a service manager restarts it
                restarted.TrySetResult();
            });
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "1");
            output.WriteLine($"cluster run with a restart: {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(restarted.Task.IsCompleted, "the silo was not killed and restarted during the run");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            Assert.Equal(local.ShardHashes, AnalysisRun.StoreShardHashes(stores));
            AnalysisRun.AssertSameResults(local.Results, results);
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(["solo"], c.LostSilos);
            // Two processes named solo: the first did what it finished before the kill, the second joined during the run and did the rest.
            Assert.Equal(2, c.Silos.Count);
            Assert.All(c.Silos, s => Assert.Equal("solo", s.Name));
            Assert.NotEqual(c.Silos[0].Address, c.Silos[1].Address);
            Assert.False(c.Silos[0].JoinedDuringRun);
            Assert.True(c.Silos[1].JoinedDuringRun);
            Assert.NotEmpty(c.Silos[0].Shards);
            Assert.NotEmpty(c.Silos[1].Shards);
            Assert.Equal(Enumerable.Range(0, c.Shards), c.Silos.SelectMany(s => s.Shards).Order());
            Assert.NotEmpty(c.ReassignedShards);
            Assert.All(c.ReassignedShards, r => Assert.Equal("solo", r.FromSilo));
            Assert.Equal(["solo", "solo"], c.CoordinatorSilos);
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    [RedisFact]
    public async Task The_run_survives_the_death_of_the_silo_hosting_its_coordinator()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-coordinator-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            await cluster.StartSilo("a"); await cluster.StartSilo("b"); await cluster.StartSilo("c");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            // The batch log names the coordinator's silo; it is killed once some shard is done (so there is state to lose).
            var host = new TaskCompletionSource<string>();
            var killed = new TaskCompletionSource<string>();
            void OnLine(string line)
            {
                const string marker = "coordinator of job ";
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0 && line.IndexOf(" on silo ", at, StringComparison.Ordinal) is var on and > 0)
                    host.TrySetResult(line[(on + " on silo ".Length)..].Trim());
            }
            var watch = Task.Run(async () =>
            {
                string name = await host.Task;
                while (!new[] { "a", "b", "c" }.Any(s => cluster.Log(s).Contains($"silo {s}: shard "))) await Task.Delay(50);
                cluster.Kill(name);
                killed.TrySetResult(name);
            });
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), OnLine,
                "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "1");
            output.WriteLine($"cluster run losing the coordinator's silo: {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(killed.Task.IsCompleted, "the coordinator's silo was not killed during the run");
            string victim = killed.Task.Result;
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            Assert.Equal(local.ShardHashes, AnalysisRun.StoreShardHashes(stores));
            AnalysisRun.AssertSameResults(local.Results, results);
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            // The grain came back on a surviving silo with the table its first host wrote to Redis.
            Assert.True(c.CoordinatorSilos.Count >= 2, $"coordinator silos: {string.Join(", ", c.CoordinatorSilos)}");
            Assert.Equal(victim, c.CoordinatorSilos[0]);
            Assert.NotEqual(victim, c.CoordinatorSilos[^1]);
            Assert.Contains($"moved to silo {c.CoordinatorSilos[1]}", run.Stderr);
            Assert.Equal(Enumerable.Range(0, c.Shards), c.Silos.SelectMany(s => s.Shards).Order());
            // Shards come back from the victim; a survivor's shard comes back only when the answer
            // to its request for work died with the coordinator (the table says it runs there, the
            // silo never heard): it asks again and the shard is handed out anew.
            Assert.All(c.ReassignedShards, r => Assert.True(r.FromSilo == victim || r.Reason == "silo asked for more work without finishing it",
                $"shard {r.Shard} reassigned from {r.FromSilo} ({r.Reason}); the victim was {victim}"));
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }
}
