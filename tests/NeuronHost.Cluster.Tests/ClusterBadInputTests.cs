using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>What goes wrong on a cluster is one line naming the address or the silo, and no
/// results folder that could pass for a finished run.</summary>
public sealed class ClusterBadInputTests(ITestOutputHelper output)
{
    [RedisFact]
    public async Task No_redis_at_the_address_is_one_line_naming_it()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-noredis-").FullName;
        try
        {
            int port = LocalCluster.FreePort();   // nothing listens there
            string outDir = Path.Combine(folder, "out");
            var run = await AnalysisRun.Cli(Path.Combine(folder, "stores"), TimeSpan.FromMinutes(3), null,
                "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", $"redis://127.0.0.1:{port}");
            output.WriteLine(run.Stderr);
            Assert.Equal(1, run.ExitCode);
            var error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
            Assert.Contains($"no Redis at redis://127.0.0.1:{port}", error);
            Assert.False(Directory.Exists(outDir));
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    [RedisFact]
    public async Task The_yamls_cluster_key_is_honoured_checked_with_its_line_and_overridden_by_the_option()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-yamlkey-").FullName;
        try
        {
            string outDir = Path.Combine(folder, "out"), stores = Path.Combine(folder, "stores");
            string yaml = AnalysisRun.WriteYaml(folder, outDir);
            int lines = File.ReadAllLines(yaml).Length;
            static string Error(AnalysisRun.Outcome run) =>
                Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));

            // cluster: in the YAML sends the run there (nothing listens: the run says so and stops).
            int port = LocalCluster.FreePort();
            File.AppendAllText(yaml, $"\ncluster: redis://127.0.0.1:{port}\n");
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(3), null, "run", yaml);
            output.WriteLine(run.Stderr);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"no Redis at redis://127.0.0.1:{port}", Error(run));
            Assert.DoesNotContain("unexpected", Error(run));   // bad input, not a bug

            // A malformed address: one line naming the file, the key's line and the key.
            File.WriteAllLines(yaml, File.ReadAllLines(yaml).Take(lines).Append("cluster: redis://no such host:6379"));
            run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(3), null, "run", yaml);
            output.WriteLine(run.Stderr);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"error: {yaml}:{lines + 1}: cluster: 'redis://no such host:6379' is not a Redis address: give HOST:PORT or redis://HOST:PORT", Error(run).TrimEnd());

            // --cluster overrides the key (here the malformed one is never read).
            int other = LocalCluster.FreePort();
            run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(3), null, "run", yaml, "--cluster", $"127.0.0.1:{other}");
            output.WriteLine(run.Stderr);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"no Redis at redis://127.0.0.1:{other}", Error(run));
            Assert.False(Directory.Exists(outDir));
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    [RedisFact]
    public async Task A_silo_of_another_version_or_without_the_model_is_named()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-bad-").FullName;
        try
        {
            using (var cluster = new LocalCluster(folder))
            {
                await cluster.StartSilo("old", "--as-version", "0.0.9");
                string outDir = Path.Combine(folder, "out-version");
                var run = await AnalysisRun.Cli(Path.Combine(folder, "stores"), TimeSpan.FromMinutes(3), null,
                    "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address);
                output.WriteLine(run.Stderr);
                Assert.Equal(1, run.ExitCode);
                var error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
                Assert.Contains("silo old runs NeuronHost 0.0.9", error);
                Assert.False(Directory.Exists(outDir));
            }
            using (var cluster = new LocalCluster(folder))
            {
                // On this host the coordinator's model folder is somewhere that does not exist.
                string model = NeuronHost.Tests.Common.SharedAssets.Model("gpt2-mini-brown");
                await cluster.StartSilo("nomodel", "--path-map", $"{model}={Path.Combine(folder, "not-mounted")}");
                string outDir = Path.Combine(folder, "out-model");
                var run = await AnalysisRun.Cli(Path.Combine(folder, "stores"), TimeSpan.FromMinutes(5), null,
                    "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address);
                output.WriteLine(run.Stderr);
                Assert.Equal(1, run.ExitCode);
                var error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
                Assert.Contains("silo nomodel: the model folder", error);
                Assert.Contains("is missing on this host", error);
                Assert.False(Directory.Exists(outDir));
            }
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }
}
