using System.CommandLine;
using NeuronHost.Core.Plugins;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost plugins list</c> and <c>neuronhost plugins show NAME</c>. Both read the
/// plugins' metadata only: listing a plugin folder never runs its code.</summary>
public sealed class PluginsCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var plugins = new Command("plugins", "List the installed plugins and show their parameters");

        var list = new Command("list", "List every plugin (name, kind, version, source, description) and the plugins that failed to load");
        list.SetAction(parse => List(cli, parse));
        plugins.Add(list);

        var nameArgument = new Argument<string>("NAME") { Description = "The plugin's name, as 'plugins list' shows it" };
        var show = new Command("show", "Show one plugin: what it does, where it comes from, and its parameters (type, default, description)");
        show.Add(nameArgument);
        show.SetAction(parse => Show(cli, parse, parse.GetRequiredValue(nameArgument)));
        plugins.Add(show);

        plugins.SetAction(CliApp.ShowHelp);
        return plugins;
    }

    private static int List(CliContext cli, ParseResult parse)
    {
        var catalog = cli.ListPlugins(parse);
        var sorted = catalog.Plugins.OrderBy(p => p.Kind).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (cli.Json(parse))
        {
            cli.WriteJson(parse, new
            {
                plugins = sorted.Select(ToJson),
                errors = catalog.Errors.Select(e => new { path = e.Path, message = e.Message }),
                folders = catalog.Folders.Select(f => new { path = f.Path, origin = f.Origin }),
            });
            return 0;
        }

        var console = cli.Console(parse);
        if (sorted.Count == 0)
            console.WriteLine("No plugins found (searched: " +
                (catalog.Folders.Count == 0 ? "no folders" : string.Join(", ", catalog.Folders.Select(f => f.Path))) + ").");
        else
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("Name", "Kind", "Version", "Source", "Description");
            foreach (var p in sorted)
                table.AddRow(Markup.Escape(p.Name), p.KindName, VersionText(p.Version), Markup.Escape(SourceText(p)),
                    Markup.Escape(p.Description));
            console.Write(table);
        }
        foreach (var error in catalog.Errors)
            cli.Error(parse).WriteLine($"plugin error: {error.Message}");
        return 0;
    }

    private static int Show(CliContext cli, ParseResult parse, string name)
    {
        var catalog = cli.ListPlugins(parse);
        var plugin = catalog.Get(name);
        if (cli.Json(parse))
        {
            cli.WriteJson(parse, ToJson(plugin));
            return 0;
        }
        var console = cli.Console(parse);
        console.MarkupLine($"[bold]{Markup.Escape(plugin.Name)}[/] — {plugin.KindName} plugin, version {VersionText(plugin.Version)}");
        console.WriteLine(plugin.Description);
        console.WriteLine($"from: {plugin.AssemblyPath} ({plugin.Source.Origin})");
        console.WriteLine();
        if (plugin.Declaration.Parameters.Count == 0)
        {
            console.WriteLine("It has no parameters.");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Parameter", "Type", "Default", "Description");
        foreach (var p in plugin.Declaration.Parameters)
            table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.TypeName), Markup.Escape(DefaultText(p)), Markup.Escape(p.Description));
        console.Write(table);
        return 0;
    }

    private static string VersionText(Version? v) => v is null ? "?" : v.Build >= 0 ? v.ToString(3) : v.ToString(2);

    /// <summary>A default computed by the constructor is only known by running it.</summary>
    private static string DefaultText(ParameterDeclaration p) => p.DefaultText ?? "(set in code)";

    /// <summary>"built-in", or the folder holding the plugin's .dll.</summary>
    private static string SourceText(ListedPlugin p) => p.Source.IsBuiltIn ? "built-in" : p.Folder;

    private static object ToJson(ListedPlugin p) => new
    {
        name = p.Name,
        kind = p.KindName,
        version = VersionText(p.Version),
        description = p.Description,
        origin = p.Source.Origin,
        folder = p.Folder,
        assembly = p.AssemblyPath,
        parameters = p.Declaration.Parameters.Select(x => new
        {
            name = x.Name,
            type = x.TypeName,
            @default = DefaultText(x),
            description = x.Description,
            choices = x.Choices,
        }),
    };
}
