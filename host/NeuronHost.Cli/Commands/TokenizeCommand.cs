using System.CommandLine;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost tokenize --model DIR --text "…" [--json]</c>: the tokens, ids and word
/// alignment a model's tokenizer produces. DIR may hold only tokenizer files.</summary>
public sealed class TokenizeCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "A model folder, or a folder (or file) with only tokenizer files", Required = true };
        var text = new Option<string>("--text") { Description = "The text to tokenize", Required = true };
        var noSpecial = new Option<bool>("--no-special") { Description = "Do not add special tokens ([CLS]/[SEP], <s>)" };
        var command = new Command("tokenize", "Show how a model's tokenizer splits a text: tokens, ids and which tokens make up each word")
        {
            model, text, noSpecial,
        };
        command.SetAction(parse =>
        {
            var tokenizer = OpenTokenizer(parse.GetRequiredValue(model));
            var report = TokenizationReport.Create(tokenizer, parse.GetRequiredValue(text), !parse.GetValue(noSpecial));
            cli.Out(parse).Write(cli.Json(parse) ? report.ToJson() + Environment.NewLine : report.ToText());
            return 0;
        });
        return command;
    }

    internal static ITokenizer OpenTokenizer(string path)
    {
        bool tfjs = File.Exists(Path.Combine(path, "model.json")) || File.Exists(Path.Combine(path, "dist", "model.json"));
        if (tfjs) return ModelOpener.Open(path).Tokenizer ?? throw new CliException($"{path}: the model has no vocab.json beside model.json");
        try { return TokenizerLoader.Load(path); }
        catch (FileNotFoundException e) { throw new CliException(e.Message); }
    }
}
