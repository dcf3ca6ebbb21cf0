using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NeuronHost.Cluster;
using NeuronHost.Cluster.Client;
using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Silo;
using NeuronHost.Core.Assets;

namespace NeuronHost.Cli.Commands.Cluster;

/// <summary><c>neuronhost cluster silo|status</c>: start a silo of a NeuronHost cluster (one per
/// host; Orleans with Redis membership), and list the silos, the runs in progress and their
/// shards. Runs go to the cluster with <c>neuronhost run analysis.yaml --cluster redis://HOST:PORT</c>.</summary>
public sealed class ClusterCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var command = new Command("cluster", "Run analyses on several machines: start silos (Orleans, Redis membership), see their state") { Silo(cli), Status(cli) };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Option<string> RedisOption() =>
        new("--redis") { Description = "The cluster's Redis server (membership and coordinator state)", Required = true, HelpName = "HOST:PORT" };

    private static Command Silo(CliContext cli)
    {
        var redis = RedisOption();
        var port = new Option<int>("--port") { Description = "Silo-to-silo port (default 11111); the client gateway listens on the next port unless --gateway-port", DefaultValueFactory = _ => 11111, HelpName = "N" };
        var gateway = new Option<int?>("--gateway-port") { Description = "Port coordinators connect to (default: --port + 1)", HelpName = "N" };
        var storeDir = new Option<string?>("--store-dir") { Description = "Where this silo keeps the rows it extracts (default: the store cache's cluster-NAME folder)", HelpName = "DIR" };
        var name = new Option<string?>("--name") { Description = "This silo's name in logs, status and results (default: HOST:PORT)" };
        var advertise = new Option<string?>("--advertise") { Description = "The IP address other hosts reach this silo at (default: 127.0.0.1 when Redis is on this host, else this host's first IPv4 address)", HelpName = "IP" };
        var pathMap = new Option<string[]>("--path-map") { Description = "FROM=TO: the coordinator's paths under FROM are under TO on this host (models or corpora mounted elsewhere)", AllowMultipleArgumentsPerToken = false };
        // Lets a test start a silo that announces another version (the version check must name it).
        var asVersion = new Option<string?>("--as-version") { Hidden = true };
        // Lets a test stop a silo in the middle of its Nth shard (a hung host), so that killing it always loses a shard.
        var holdShard = new Option<int>("--hold-shard") { Hidden = true };
        // Lets a test stop a silo at the Nth message of a ranking over its rows, so that killing it always interrupts the ranking.
        var holdHeldMessage = new Option<int>("--hold-held-message") { Hidden = true };
        var command = new Command("silo", "Start a silo: joins the cluster through Redis, extracts the shards coordinators hand it, until Ctrl+C")
            { redis, port, gateway, storeDir, name, advertise, pathMap, asVersion, holdShard, holdHeldMessage };
        command.SetAction(async (parse, cancel) =>
        {
            ClusterNames.Version = ClusterNames.MakeVersion(parse.GetValue(asVersion) ?? CliApp.Version);
            var address = Parse(parse.GetRequiredValue(redis));
            int siloPort = parse.GetValue(port);
            int gatewayPort = parse.GetValue(gateway) ?? siloPort + 1;
            // checked here: out of range they were Orleans' exceptions, an empty folder Path.GetFullPath's
            foreach (var (option, value) in new[] { ("--port", siloPort), ("--gateway-port", gatewayPort) })
                if (value is < 1 or > 65535) throw new CliException($"{option} {value}: give a port 1–65535");
            if (gatewayPort == siloPort) throw new CliException($"--gateway-port {gatewayPort} is the silo port: give another");
            if (parse.GetValue(storeDir) is { } sd && (string.IsNullOrWhiteSpace(sd) || sd.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
                throw new CliException("--store-dir: give a folder");
            var ip = parse.GetValue(advertise) is { } text
                ? (IPAddress.TryParse(text, out var a) ? a : throw new CliException($"--advertise: '{text}' is not an IP address"))
                : DefaultAddress(address);
            string siloName = parse.GetValue(name) ?? $"{Dns.GetHostName()}:{siloPort}";
            string dir = Path.GetFullPath(parse.GetValue(storeDir) ?? Path.Combine(StoreCache.Root(), "cluster-" + string.Concat(siloName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'))));
            var map = (parse.GetValue(pathMap) ?? []).Select(m => m.Split('=', 2) is [var from, var to] && from.Length > 0 && to.Length > 0
                ? (Path.GetFullPath(from), Path.GetFullPath(to)) : throw new CliException($"--path-map '{m}': give FROM=TO")).ToList();
            try
            {
                await SiloHost.RunAsync(new SiloSettings { Redis = address, SiloPort = siloPort, GatewayPort = gatewayPort, Advertised = ip, Name = siloName, StoreDir = dir, PathMap = map, HoldShard = parse.GetValue(holdShard), HoldHeldMessage = parse.GetValue(holdHeldMessage) }, cancel);
            }
            catch (ClusterException e) { throw new CliException(e.Message, e); }
            catch (Exception e) when (e is SocketException or IOException && !cancel.IsCancellationRequested)
            {
                throw new CliException($"silo {siloName} could not start on {ip}:{siloPort}/{gatewayPort}: {e.Message}", e);
            }
            return 0;
        });
        return command;
    }

    private static Command Status(CliContext cli)
    {
        var redis = RedisOption();
        var command = new Command("status", "List the cluster's silos (version, active or gone), the runs in progress, their shards and progress") { redis };
        command.SetAction(async (parse, cancel) =>
        {
            ClusterNames.Version = ClusterNames.MakeVersion(CliApp.Version);
            var address = Parse(parse.GetRequiredValue(redis));
            ClusterConnection connection;
            try { connection = await ClusterConnection.Connect(address, cancel); }
            catch (ClusterException e) { throw new CliException(e.Message, e); }
            await using var _ = connection;
            // Status is most wanted while something is failing: a grain on a silo that was just
            // killed answers again once it is reactivated elsewhere, so each call is asked again.
            TimeSpan attempt = TimeSpan.FromSeconds(8), overall = TimeSpan.FromSeconds(60);
            List<SiloView> silos; List<string> ids;
            try
            {
                silos = await ClusterConnection.Ask(connection.Silos, "the cluster's silo list", attempt, overall, cancel);
                ids = await ClusterConnection.Ask(() => connection.Client.GetGrain<IClusterBoard>(0).Jobs(), "the cluster's list of runs", attempt, overall, cancel);
            }
            catch (ClusterException e) { throw new CliException(e.Message, e); }
            var jobs = new List<(string Id, CoordinatorState State)>();
            var unreachable = new List<(string Id, string Why)>();
            foreach (var id in ids)
            {
                try { jobs.Add((id, await ClusterConnection.Ask(() => connection.Client.GetGrain<IExtractionCoordinator>(id).Peek(), $"the coordinator of run {id}", attempt, overall, cancel))); }
                catch (ClusterException e) { unreachable.Add((id, e.Message)); }
            }
            if (cli.Json(parse))
            {
                cli.WriteJson(parse, new
                {
                    redis = address.ToString(), silos,
                    runs = jobs.Select(j => new
                    {
                        job = j.Id, coordinatorSilos = j.State.Hosts,
                        done = j.State.Shards.Count(x => x.Status == ShardStatus.Done), total = j.State.Shards.Count,
                        bySilo = SiloShare.Of(j.State).Select(v => new { silo = v.Silo, done = v.Done, given = v.Given, running = v.Running, lost = v.Lost }),
                        shards = j.State.Shards.Select(x => new { x.Spec.Index, x.Status, x.Silo, x.BatchesDone, batches = x.Spec.EndBatch - x.Spec.FirstBatch, sentences = new[] { x.Spec.FirstSentence, x.Spec.EndSentence } }),
                        j.State.LostSilos, j.State.Error,
                    }),
                    unreachableRuns = unreachable.Select(u => new { job = u.Id, error = u.Why }),
                });
                return 0;
            }
            var o = cli.Out(parse);
            o.WriteLine($"cluster {address}: {silos.Count(s => s.Active)} active silo(s) (this NeuronHost: {ClusterNames.Version})");
            foreach (var s in silos.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                // Per run: shards done/given and the batches of the shard it is extracting.
                var shares = jobs.Select(j => (j.Id, Share: SiloShare.Of(j.State).FirstOrDefault(v => v.Silo == s.Name))).Where(j => j.Share is not null).ToList();
                o.WriteLine($"  {s.Name}  {(s.Active ? "active" : "gone")}  {(s.Version.Length > 0 ? s.Version : "version not announced")}  {s.Endpoint}"
                    + string.Concat(shares.Select(j => $"  run {j.Id}: {j.Share!.Done}/{j.Share.Given} shards done{(j.Share.Running is { } r ? $", {r}" : "")}")));
            }
            if (jobs.Count == 0 && unreachable.Count == 0) o.WriteLine("no run in progress");
            foreach (var (id, why) in unreachable) o.WriteLine($"run {id}: {why}");
            foreach (var (id, st) in jobs)
            {
                o.WriteLine($"run {id}: {SiloShare.Line(st)}"
                    + (st.Hosts.Count > 0 ? $"; coordinator on {st.Hosts[^1]}" : "")
                    + (st.LostSilos.Count > 0 ? $"; lost silos: {string.Join(", ", st.LostSilos)} ({st.Reassigned.Count} shard(s) reassigned)" : "")
                    + (st.Error is { } e ? $"; failed: {e}" : ""));
                foreach (var x in st.Shards.Where(x => x.Status == ShardStatus.Running))
                    o.WriteLine($"  shard {x.Spec.Index} (sentences {x.Spec.FirstSentence}–{x.Spec.EndSentence - 1}) on {x.Silo}: {x.BatchesDone}/{x.Spec.EndBatch - x.Spec.FirstBatch} batches");
            }
            return 0;
        });
        return command;
    }

    internal static ClusterAddress Parse(string text)
    {
        try { return ClusterAddress.Parse(text); }
        catch (ClusterException e) { throw new CliException(e.Message, e); }
    }

    /// <summary>Loopback when Redis is on this host (a single-machine cluster), else this host's first up, non-loopback IPv4 address.</summary>
    private static IPAddress DefaultAddress(ClusterAddress redis)
    {
        if (redis.Host is "localhost" || (IPAddress.TryParse(redis.Host, out var r) && IPAddress.IsLoopback(r))) return IPAddress.Loopback;
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
    }
}
