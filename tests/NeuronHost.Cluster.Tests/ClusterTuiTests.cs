using System.Diagnostics;
using System.Text.RegularExpressions;
using NeuronHost.Core.Reports;
using NeuronHost.Host.Tests.Tui;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>The terminal UI (in tmux, 80×24) runs an analysis on a cluster of three silo processes:
/// the address typed in Setup's Cluster field is checked as typed, an address with no Redis is one
/// line in Setup and nothing starts, the saved YAML carries the address, and during extraction
/// the Run view shows each silo's shards; the third silo is killed holding a shard, and the panel
/// shows it lost and its shard given to another; results.json has the cluster section with all
/// three and the lost one.</summary>
public sealed class ClusterTuiTests(ITestOutputHelper output)
{
    [RedisFact]
    public void The_tui_runs_on_three_silos_shows_each_silos_shards_and_a_killed_silos_lost_shard()
    {
        Assert.True(Tmux.Available, "tmux is not installed (CI: apt-get install -y tmux)");
        string folder = Directory.CreateTempSubdirectory("nh-cluster-tui-").FullName;
        var clock = Stopwatch.StartNew();
        try
        {
            using var cluster = new LocalCluster(folder);
            // One after the other, as the other cluster tests start them (joins time out on loaded cores).
            cluster.StartSilo("north").GetAwaiter().GetResult();
            cluster.StartSilo("south").GetAwaiter().GetResult();
            // Killed while it holds its first shard: a second one was not always to be had, since the
            // other two silos once took all 13 remaining shards while east sent its first (a local run at load 4).
            cluster.StartSiloThatHolds("east", shard: 1).GetAwaiter().GetResult();
            output.WriteLine($"silos ready after {clock.Elapsed.TotalSeconds:0} s");
            string outDir = Path.Combine(folder, "out");
            // The analysis without a cluster: the address is typed into the field. 480 sentences in
            // shards of 2 batches of 16 make 15 shards, so extraction lasts long enough to be read from
            // the screen at load 17.
            File.WriteAllText(Path.Combine(folder, "setup.yaml"), $"""
                model: {SharedAssets.Model("gpt2-mini-brown")}
                corpus:
                  path: {SharedAssets.Corpus("ud-english-ewt")}
                  max-sentences: 480
                task: upos
                layers: [1]
                rankings: [probeless]
                output: {outDir}
                """);
            // A store folder of its own: from the shared test store cache, another test's store of the
            // same sentences would be reused and nothing would be extracted on the silos (stop 28's CI).
            using var tui = new TuiSession(folder, 80, 24, $"NEURONHOST_STORES='{Path.Combine(folder, "stores")}'");
            try
            {
                tui.WaitFor("Model", "Cluster Redis (empty = here):", "batches/shard:");
                tui.Tmux.Keys("C-o");
                tui.WaitFor("Load analysis.yaml");
                tui.Tmux.Keys("C-a");
                tui.Tmux.Type("setup.yaml");
                tui.Tmux.Keys("Enter");
                tui.WaitFor("(•) gpt2-mini-brown", "[x] probeless", "sentences: 480", "Ready: F5");

                // Not an address: refused as typed.
                tui.Type('d', "bad host:1");
                tui.WaitFor("Run refused: cluster: 'bad host:1' is not a Redis address");
                // An address where nothing listens: F5 connects, fails, and says so in one line; no run starts.
                int nothing = LocalCluster.FreePort();
                tui.Type('d', $"127.0.0.1:{nothing}");
                tui.WaitFor("Ready: F5");
                tui.Tmux.Keys("F5");
                var s = tui.Tmux.WaitFor(TimeSpan.FromSeconds(90), $"Run not started: no Redis at redis://127.0.0.1:{nothing}");
                output.WriteLine("no Redis:\n" + s);
                Assert.DoesNotContain("Progress ·", s);
                Assert.False(Directory.Exists(outDir));

                tui.Type('d', cluster.Address);
                tui.WaitFor("Ready: F5");
                // Shards of 2 batches instead of the default 4: saved and used.
                tui.Type('b', "0");
                tui.WaitFor("Run refused: batches per shard: '0' is not a positive whole number");
                tui.Type('b', "2");
                tui.WaitFor("Ready: F5");
                tui.Tmux.Keys("C-s");
                tui.WaitFor("Save analysis.yaml");
                tui.Tmux.Keys("Enter");
                tui.WaitFor("Saved", "neuronhost run analysis.yaml");
                tui.Tmux.Keys("Enter");
                tui.WaitUntilGone("neuronhost run analysis.yaml");

                tui.Tmux.Keys("F5");
                // During extraction: the panel names both silos with their shards done/given.
                s = tui.Tmux.WaitForMatch(TimeSpan.FromSeconds(240),
                    @"(?s)▶ extract.*┤Cluster · " + Regex.Escape(cluster.Address) + @" · \d+/\d+ shards done.*east +\d+/\d+ shards done.*north +\d+/\d+ shards done.*south +\d+/\d+ shards done.*coordinator on silo (north|south|east)");
                output.WriteLine($"during extraction ({clock.Elapsed.TotalSeconds:0} s, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):\n{s}");
                // The kill: east dies with a shard in hand; the panel says it is lost and who took its shard.
                var held = Stopwatch.StartNew();
                while (!cluster.Log("east").Contains(LocalCluster.HoldingLine("east")) && held.Elapsed < TimeSpan.FromMinutes(4)) Thread.Sleep(100);
                Assert.True(cluster.Log("east").Contains(LocalCluster.HoldingLine("east")), "silo east never held its first shard:\n" + cluster.Log("east"));
                cluster.Kill("east");
                s = tui.Tmux.WaitForMatch(TimeSpan.FromSeconds(180),
                    @"(?s)east +\d+/\d+ shards done · lost.*shard \d+ taken back from east \(silo left the cluster\), given to (north|south)");
                output.WriteLine($"after the kill ({clock.Elapsed.TotalSeconds:0} s):\n{s}");
                s = tui.Tmux.WaitFor(TimeSpan.FromSeconds(300), "Rankings", "complete", "blocks.1.mlp.hook_post[");
                tui.Tmux.Keys("C-q");
                tui.WaitFor("NEURONHOST-EXIT 0");
            }
            catch
            {
                output.WriteLine("last screen:\n" + tui.Screen() + "\n" + cluster.Logs());
                throw;
            }

            string saved = File.ReadAllText(Path.Combine(folder, "analysis.yaml"));
            Assert.Contains($"\ncluster: {cluster.Address}\n", saved);
            Assert.Contains("\nshard-batches: 2\n", saved);
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            Assert.Equal(RunStatus.Complete, results.Status);
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(cluster.Address, c.Redis);
            Assert.Equal(2, c.BatchesPerShard);
            Assert.Equal(15, c.Shards);   // 480 sentences / 16 per batch / 2 per shard
            Assert.Equal(["east", "north", "south"], c.Silos.Select(x => x.Name).Order());
            Assert.Equal(["east"], c.LostSilos);
            Assert.Contains(c.ReassignedShards, r => r.FromSilo == "east");
            Assert.Equal(Enumerable.Range(0, c.Shards), c.Silos.SelectMany(x => x.Shards).Order());
            output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:0} s\n{cluster.Logs()}");
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }
}
