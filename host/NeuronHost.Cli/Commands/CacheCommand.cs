using System.CommandLine;
using NeuronHost.Core.Assets;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost cache list|clean</c>: the activation stores runs keep in the store cache
/// (<see cref="StoreCache.Root"/>): size, model, corpus, last use; and freeing them. Only folders
/// that are stores are listed or removed.</summary>
public sealed class CacheCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var list = new Command("list", "List the cached activation stores: size, model, corpus, last used");
        list.SetAction(parse =>
        {
            string root = StoreCache.Root();
            var stores = StoreCache.List(root);
            if (cli.Json(parse)) { cli.WriteJson(parse, new { root, stores }); return 0; }
            var console = cli.Console(parse);
            console.WriteLine($"store cache: {root} ({StoreCache.EnvironmentVariable} or \"{StoreCache.ConfigKey}\" in the config file to move it)");
            if (stores.Count == 0) { console.WriteLine("no stores"); return 0; }
            var table = new Table().Border(TableBorder.Simple).AddColumn("store").AddColumn(new TableColumn("size").RightAligned())
                .AddColumn("model").AddColumn("corpus").AddColumn(new TableColumn("words").RightAligned()).AddColumn("last used");
            foreach (var s in stores)
                table.AddRow(Markup.Escape(Path.GetFileName(s.Directory)), Size(s.Bytes), Markup.Escape(s.Model), Markup.Escape(s.Corpus),
                    $"{s.Rows:N0}{(s.Complete ? "" : " (unfinished)")}", s.LastUsedUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm"));
            console.Write(table);
            console.WriteLine($"{stores.Count} store(s), {Size(stores.Sum(s => s.Bytes))}");
            return 0;
        });

        var names = new Argument<string[]>("STORE") { Description = "Store folder names (from 'cache list'); none = every store", Arity = ArgumentArity.ZeroOrMore };
        var clean = new Command("clean", "Delete cached activation stores (only folders that are NeuronHost stores)") { names };
        clean.SetAction(parse =>
        {
            string root = StoreCache.Root();
            IReadOnlyList<CachedStore> removed;
            try { removed = StoreCache.Clean(root, parse.GetValue(names)); }
            catch (ArgumentException e) { throw new CliException(e.Message); }
            if (cli.Json(parse)) { cli.WriteJson(parse, new { root, removed }); return 0; }
            cli.Out(parse).WriteLine($"removed {removed.Count} store(s), {Size(removed.Sum(s => s.Bytes))} freed, from {root}");
            return 0;
        });

        var command = new Command("cache", "The activation stores runs keep between runs: list them, free them") { list, clean };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static string Size(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.0} MiB" : $"{bytes / 1024.0:0} KiB";
}
