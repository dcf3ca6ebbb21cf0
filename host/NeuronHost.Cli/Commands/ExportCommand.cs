using System.CommandLine;
using NeuronHost.Data.Interop;
using NeuronHost.Data.Tasks;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost export STORE --out DIR [--layers …] [--format …]</c>: a store (or a slice) as
/// activations.npy (float32 [tokens, neurons]) or NeuroX's activation files, with labels.json and
/// neurons.json, for Python.</summary>
public sealed class ExportCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var store = new Argument<string>("STORE") { Description = "The activation store folder" };
        var output = new Option<string>("--out") { Description = "Folder for activations.npy, labels.json, neurons.json", Required = true, HelpName = "DIR" };
        var layers = new Option<int[]?>("--layers") { Description = "Keep only hook points of these layers", AllowMultipleArgumentsPerToken = true };
        var hooks = new Option<string[]?>("--hooks") { Description = "Keep only these hook points", AllowMultipleArgumentsPerToken = true };
        var splits = new Option<string[]?>("--splits") { Description = "Keep only tokens of these splits (train, dev, test)", AllowMultipleArgumentsPerToken = true };
        var task = new Option<string?>("--task") { Description = "Label the tokens with this task (rare values dropped; default: the task recorded with the store)" };
        var minCount = new Option<int>("--min-count") { Description = "With --task: drop label values with fewer training words", DefaultValueFactory = _ => TaskOptions.DefaultMinCount };
        var format = new Option<string>("--format") { Description = "npy (activations.npy), neurox-hdf5 (NeuroX's activations.hdf5 + sentences.txt + labels.txt) or neurox-json", DefaultValueFactory = _ => "npy" };
        format.AcceptOnlyFromAmong("npy", "neurox-hdf5", "neurox-json");
        var noVerify = StoreCommand.NoVerifyOption();
        var command = new Command("export", "Export an activation store (or a slice) to .npy + JSON that Python loads directly")
        {
            store, output, layers, hooks, splits, task, minCount, format, noVerify,
        };
        command.SetAction(parse =>
        {
            var options = new ExportOptions
            {
                StoreDirectory = parse.GetRequiredValue(store),
                VerifyHashes = !parse.GetValue(noVerify),
                OutputDirectory = parse.GetRequiredValue(output),
                // An option not given parses as an empty array, which means "no filter".
                Layers = NullIfEmpty(parse.GetValue(layers)),
                HookPoints = NullIfEmpty(parse.GetValue(hooks)),
                Splits = NullIfEmpty(parse.GetValue(splits)),
                Task = parse.GetValue(task) is { } t ? TaskSpec.Parse(t) : null,
                TaskOptions = new TaskOptions { MinCount = parse.GetValue(minCount) },
                Format = parse.GetValue(format) switch { "neurox-hdf5" => ExportFormat.NeuroxHdf5, "neurox-json" => ExportFormat.NeuroxJson, _ => ExportFormat.Npy },
            };
            using var cts = ExtractCommand.CancelOnCtrlC();
            ExportResult result;
            try { result = CliProgress.Run(cli, parse, progress => StoreExport.Run(options, progress, cts.Token)); }
            catch (Exception e) when (e is MissingTaskException or ArgumentException) { throw new CliException(e.Message); }
            if (cli.Json(parse)) cli.WriteJson(parse, result);
            else
            {
                cli.Out(parse).WriteLine($"exported {result.Tokens} tokens × {result.Neurons} neurons: {string.Join(", ", result.Files)}");
                cli.Out(parse).WriteLine(result.LabelOrigin);
            }
            return 0;
        });
        return command;
    }

    private static T[]? NullIfEmpty<T>(T[]? values) => values is { Length: > 0 } ? values : null;
}
