using NeuronHost.Core.Reports;
using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>Probeless, Linear and the linear probe with nothing else that reads rows: no row leaves
/// the silos. Each silo keeps its shards' rows; Probeless runs from their class moments, Linear
/// over the train rows where they are (its OWL-QN passes are the silos' exact sums, a few
/// segments' rows lent between silos once), the probe grid over every split's rows there. The
/// rankings are the local run's to the bit — the Linear scores too, since the probe's weights
/// are — and the accuracies the local ones, also when a silo that already finished a shard is
/// killed: its rows die with it, so that shard is extracted again elsewhere.</summary>
[Collection(ClusterCollection.Name)]
public sealed class HeldRowsClusterTests(LocalReferenceFixture local, ITestOutputHelper output)
{
    private static readonly double Minutes = double.TryParse(Environment.GetEnvironmentVariable("NH_KILL_TEST_MINUTES"), out var m) ? m : 10;
    [RedisFact]
    public async Task The_linear_ranking_runs_over_the_rows_the_silos_keep_and_equals_the_local_ranking()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-held-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            await cluster.StartSilo("a"); await cluster.StartSilo("b"); await cluster.StartSilo("c");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", AnalysisRun.WriteRankingsOnlyYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "2");
            output.WriteLine($"cluster {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(0, c.BytesReceived);
            Assert.Empty(c.RowsNeededBy);
            Assert.Equal(["probeless"], c.RankingsFromMoments);
            Assert.Equal(["linear"], c.RankingsOverHeldRows);
            Assert.True(c.HeldRowsMessages > 0 && c.HeldRowsBytesReceived > 0);
            Assert.True(c.Silos.Count(s => s.Shards.Count > 0) >= 2, "fewer than two silos held rows: nothing was summed across silos");
            Assert.Contains("ranking 'linear' over the train rows kept on", run.Stderr);
            output.WriteLine($"{c.Shards} shards; linear: {c.HeldRowsMessages:N0} messages, {c.HeldRowsBytesSent:N0} bytes to the silos, {c.HeldRowsBytesReceived:N0} from them; "
                + $"class moments {c.MomentBytesReceived:N0}; the train rows would be {results.Identity.TrainTokens * 1024L * 4:N0} bytes");
            Assert.Equal(local.Results.Identity.TrainTokens, results.Identity.TrainTokens);
            AnalysisRun.AssertSameRankings(local.Results, results);
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    /// <summary>The analysis of <see cref="ClusterRunTests"/> without the max-activating contexts: the
    /// Linear ranking and the whole probe × ranking grid — top, bottom and random k, the control
    /// task, the all-neuron oracle, the minimal neuron sets — run over the train, dev and test rows
    /// the silos keep. No row reaches the coordinator, and every accuracy equals the local run's
    /// (to 1e-6; they are the same counts).</summary>
    [RedisFact]
    public async Task The_probe_grid_runs_over_the_rows_the_silos_keep_and_gives_the_local_accuracies()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-held-grid-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            await cluster.StartSilo("a"); await cluster.StartSilo("b"); await cluster.StartSilo("c");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(20), null,
                "run", AnalysisRun.WriteGridYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "2");
            output.WriteLine($"local {local.Elapsed.TotalSeconds:0.0} s, cluster {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(0, c.BytesReceived);
            Assert.Empty(c.RowsNeededBy);
            Assert.Equal(["linear"], c.RankingsOverHeldRows);
            Assert.Equal(["linear-probe"], c.ProbesOverHeldRows);
            Assert.True(c.Silos.Count(s => s.Shards.Count > 0) >= 2, "fewer than two silos held rows: nothing was summed across silos");
            Assert.Contains("probe 'linear-probe' on task 'upos' over the rows kept on", run.Stderr);
            Assert.Contains("probe 'linear-probe' on task 'upos (control)' over the rows kept on", run.Stderr);
            long rowBytes = (results.Identity.TrainTokens + results.Identity.DevTokens + results.Identity.TestTokens) * 1024L * 4;
            output.WriteLine($"{c.Shards} shards; linear ranking and probe grid: {c.HeldRowsMessages:N0} messages, {c.HeldRowsBytesSent:N0} bytes to the silos, "
                + $"{c.HeldRowsBytesReceived:N0} from them; class moments {c.MomentBytesReceived:N0}; the rows would be {rowBytes:N0} bytes");
            AnalysisRun.AssertSameResults(local.Results, results);
            Assert.NotEmpty(results.Oracle);
            Assert.Equal(local.Results.MinimalSets.Select(m => (m.Ranking, m.K)), results.MinimalSets.Select(m => (m.Ranking, m.K)));
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    /// <summary><c>--cluster-rows coordinator</c>: nothing needs the rows in one place, but the user
    /// wants them here — every row is copied into this machine's store (its bytes are exactly the
    /// rows), the run says why, the rankings are the local ones, and a later run without the cluster
    /// reuses that store instead of extracting.</summary>
    [RedisFact]
    public async Task Cluster_rows_coordinator_copies_every_row_into_a_store_that_a_later_local_run_reuses()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-rows-here-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            await cluster.StartSilo("a"); await cluster.StartSilo("b");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            string yaml = AnalysisRun.WriteRankingsOnlyYaml(folder, outDir);
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", yaml, "--cluster", cluster.Address, "--shard-batches", "2", "--cluster-rows", "coordinator");
            output.WriteLine($"cluster {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(["cluster-rows: coordinator (a store of them kept here)"], c.RowsNeededBy);
            Assert.Empty(c.RankingsOverHeldRows);
            // whole rows of 1,024 float32 neurons, at least every task word's (the store also keeps words of dropped classes)
            Assert.Equal(c.Silos.Sum(x => x.Bytes), c.BytesReceived);
            Assert.Equal(0, c.BytesReceived % (1024 * 4));
            Assert.True(c.BytesReceived / (1024 * 4) >= LocalRows(local), $"{c.BytesReceived / 4096} rows for {LocalRows(local)} task words");
            Assert.Contains("every row goes to the coordinator: cluster-rows: coordinator", run.Stderr);
            AnalysisRun.AssertSameRankings(local.Results, results);

            var again = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null, "run", yaml, "--out", Path.Combine(folder, "again"));
            Assert.True(again.ExitCode == 0, $"local run failed ({again.ExitCode}):\n{again.Stderr}");
            Assert.Matches(@"store .+: Reused, [0-9]+ words, 0 shard\(s\) written", again.Stderr);
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    private static long LocalRows(LocalReferenceFixture local) => local.Results.Identity.TrainTokens + local.Results.Identity.DevTokens + local.Results.Identity.TestTokens;

    /// <summary>A silo killed while the Linear ranking runs over its rows (it hangs on a message,
    /// then dies): that ranking fails with one line naming the silo and the shards whose rows it
    /// held, as soon as membership declares the silo dead (not when the call's 10-minute timeout
    /// ends: only the membership watch says "left the cluster"), results.json records it under
    /// pluginFailures, the run exits 4 (plugin failures) — and
    /// Probeless, from the moments merged before, is still the local ranking. No Linear ranking made
    /// of the other silos' sums alone is presented.</summary>
    [RedisFact]
    public async Task A_silo_killed_while_the_linear_ranking_runs_over_its_rows_fails_that_ranking_naming_the_silo()
    {
        // its 6th message comes after the rows are lent and the holders built
        var (results, stderr) = await RunWithAHolderKilledAtMessage(6, AnalysisRun.WriteRankingsOnlyYaml, "the ranking");
        var failure = Assert.Single(results.PluginFailures);
        Assert.Equal("linear", failure.Plugin);
        Assert.Matches(@"silo victim \(.+\), which holds train rows of shards [0-9, ]+, left the cluster during the ranking", failure.Reason);
        Assert.DoesNotContain('\n', failure.Reason);
        Assert.Equal(["probeless"], results.Rankings.Select(r => r.Name));
        var reference = local.Results.Rankings.Single(r => r.Name == "probeless");
        Assert.Equal(reference.Neurons.Select(n => n.Column), results.Rankings.Single().Neurons.Select(n => n.Column));
        Assert.Contains("victim", stderr);
    }

    /// <summary>A silo killed while the probe grid runs over its rows (it hangs on a message well
    /// after the Linear ranking's, then dies): the probe fails with one line naming the silo and
    /// the shards it held, recorded under pluginFailures; the run exits 4. Both rankings, finished
    /// before, are the local ones; no cell the probe did not finish is presented.</summary>
    [RedisFact]
    public async Task A_silo_killed_while_the_probe_grid_runs_over_its_rows_fails_that_probe_naming_the_silo()
    {
        // the Linear ranking sends each silo a few hundred messages; the grid a few thousand
        var (results, _) = await RunWithAHolderKilledAtMessage(1500, AnalysisRun.WriteGridYaml, "the grid");
        var failure = Assert.Single(results.PluginFailures);
        Assert.Equal("linear-probe", failure.Plugin);
        Assert.Matches(@"silo victim \(.+\), which holds rows of shards [0-9, ]+, left the cluster during probe 'linear-probe'", failure.Reason);
        Assert.DoesNotContain('\n', failure.Reason);
        AnalysisRun.AssertSameRankings(local.Results, results);
        // the cells finished before the kill are the local ones; the rest are missing, not made up
        Assert.True(results.Accuracy.Count < local.Results.Accuracy.Count, "every cell is there: the probe did not fail mid-grid");
        foreach (var cell in results.Accuracy)
        {
            var same = local.Results.Accuracy.Single(l => (l.Ranking, l.Probe, l.Selection, l.K) == (cell.Ranking, cell.Probe, cell.Selection, cell.K));
            Assert.Equal(same.TestAccuracy, cell.TestAccuracy);
        }
    }

    /// <summary>Three silos, the first ("victim", so that it surely gets shards) holding its
    /// <paramref name="message"/>th held-rows message until it is killed (kill -9) there; the
    /// analysis of <paramref name="writeYaml"/> must then end with exit 4 (plugin failures).</summary>
    private async Task<(RunResults Results, string Stderr)> RunWithAHolderKilledAtMessage(int message, Func<string, string, string> writeYaml, string during)
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-held-kill-at-message-").FullName;
        Func<string> logs = () => "";
        try
        {
            using var cluster = new LocalCluster(folder);
            logs = () => "silo logs:\n" + cluster.Logs();
            await cluster.StartSiloThatHoldsMessage("victim", message);
            await cluster.StartSilo("a"); await cluster.StartSilo("b");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var killed = cluster.KillOnLine("victim", LocalCluster.HoldingMessageLine("victim"));
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(Minutes), null,
                "run", writeYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "2");
            output.WriteLine($"cluster run with a kill during {during}: {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}");
            Assert.True(killed.IsCompleted, $"the victim was not killed during {during}");
            Assert.True(run.ExitCode == 4, $"expected exit 4 (plugin failures), got {run.ExitCode}:\n{run.Stderr}");
            return (ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile)), run.Stderr);
        }
        finally
        {
            output.WriteLine(logs());
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    [RedisFact]
    public async Task A_silo_killed_with_a_finished_shard_takes_its_rows_along_the_shard_is_extracted_again_and_the_results_stay_the_same()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-held-kill-").FullName;
        Func<string> logs = () => "";
        try
        {
            using var cluster = new LocalCluster(folder);
            logs = () => "silo logs:\n" + cluster.Logs();   // also when the run times out
            await cluster.StartSilo("a"); await cluster.StartSilo("b");
            // It finishes one shard (whose rows it keeps) and holds its second.
            await cluster.StartSiloThatHolds("victim", shard: 2);
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var killed = cluster.KillOnLine("victim", LocalCluster.HoldingLine("victim"));
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(Minutes), null,
                "run", AnalysisRun.WriteGridYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "1");
            output.WriteLine($"cluster run with a kill: {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(killed.IsCompleted, "the victim was not killed during the run");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(["victim"], c.LostSilos);
            Assert.Contains(c.ReassignedShards, r => r.FromSilo == "victim" && r.Reason == "silo left the cluster with the shard's rows" && r.ToSilo is "a" or "b");
            Assert.Contains(c.ReassignedShards, r => r.FromSilo == "victim" && r.Reason == "silo left the cluster");
            Assert.Empty(c.Silos.Single(s => s.Name == "victim").Shards.Intersect(c.Silos.Where(s => s.Name != "victim").SelectMany(s => s.Shards)));
            Assert.Equal(["linear"], c.RankingsOverHeldRows);
            Assert.Equal(["linear-probe"], c.ProbesOverHeldRows);
            Assert.Equal(0, c.BytesReceived);
            AnalysisRun.AssertSameRankings(local.Results, results);
            AnalysisRun.AssertSameResults(local.Results, results);
        }
        finally
        {
            output.WriteLine(logs());
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }
}
