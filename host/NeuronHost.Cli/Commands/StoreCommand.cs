using System.CommandLine;
using System.Diagnostics;
using NeuronHost.Data.Store;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost store verify STORE</c>: validates the manifest and checks every file
/// it lists (inside the folder, length, SHA-256). Exit 0 with one "OK" line and the counts, or
/// exit 1 with one line per bad file.</summary>
public sealed class StoreCommand : ICliCommand
{
    /// <summary>The --no-verify option of the commands that open stores.</summary>
    internal static Option<bool> NoVerifyOption() => new("--no-verify")
    {
        Description = "Skip the SHA-256 check of the store's files (lengths are still checked); faster, but a damaged store goes unnoticed",
    };

    public Command Build(CliContext cli)
    {
        var store = new Argument<string>("STORE") { Description = "The activation store folder" };
        var verify = new Command("verify", "Check an activation store: the manifest's rules and every file's length and SHA-256") { store };
        verify.SetAction(parse =>
        {
            string dir = parse.GetRequiredValue(store);
            var manifest = StoreManifest.Read(Path.Combine(dir, StoreManifest.FileName));
            var clock = Stopwatch.StartNew();
            using var cts = ExtractCommand.CancelOnCtrlC();
            var problems = CliProgress.Run(cli, parse, progress => StoreVerifier.Check(dir, manifest, hash: true, progress, cts.Token));
            foreach (var p in problems) cli.Error(parse).WriteLine($"error: {p.Message}");
            if (problems.Count > 0) return 1;
            double mb = (manifest.Shards.Sum(s => s.Bytes) + manifest.Sidecar.Bytes) / 1e6;
            string state = manifest.Complete ? "complete" : $"incomplete: {manifest.FinishedRows} of {manifest.TotalRows} rows so far";
            cli.Out(parse).WriteLine($"OK {dir}: {manifest.TotalRows} rows × {manifest.Columns} columns ({manifest.DType.ToString().ToLowerInvariant()}), " +
                $"{manifest.Shards.Count} shard(s) and {manifest.Sidecar.File}, {mb:0.#} MB verified in {clock.Elapsed.TotalSeconds:0.0} s ({state})");
            return 0;
        });
        var group = new Command("store", "Activation store maintenance") { verify };
        group.SetAction(CliApp.ShowHelp);
        return group;
    }
}
