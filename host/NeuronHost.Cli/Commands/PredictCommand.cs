using System.CommandLine;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost predict --model DIR --text "…" [--top K] [--json]</c>: the model's top-K
/// next-token predictions at the last position (for a masked LM: at the [MASK]), with logits and
/// probabilities. <c>--ids 1,5,42</c> instead of --text for models without tokenizer files.</summary>
public sealed class PredictCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "A model folder (Hugging Face checkpoint)", Required = true };
        var text = new Option<string?>("--text") { Description = "The prompt (a masked LM needs a [MASK] in it)" };
        var ids = new Option<string?>("--ids") { Description = "Token ids instead of text, comma-separated (e.g. 1,5,42)" };
        var top = new Option<int>("--top") { Description = "How many predictions to show", DefaultValueFactory = _ => 10 };
        var command = new Command("predict", "Show a language model's top next-token (or [MASK]) predictions for a prompt")
        {
            model, text, ids, top,
        };
        var strict = new Option<bool>("--strict") { Description = "Refuse a checkpoint holding tensors the model does not read (default: a warning)" };
        command.Add(strict);
        command.SetAction(parse => Run(cli, parse, parse.GetRequiredValue(model), parse.GetValue(text), parse.GetValue(ids), parse.GetValue(top), parse.GetValue(strict)));
        return command;
    }

    private static int Run(CliContext cli, ParseResult parse, string modelDir, string? text, string? idList, int top, bool strict)
    {
        if ((text is null) == (idList is null)) throw new CliException("give exactly one of --text and --ids");
        if (top < 1) throw new CliException("--top must be at least 1");
        var session = ModelOpener.Open(modelDir, strict);
        foreach (var warning in ModelOpener.Warnings(session)) cli.Error(parse).WriteLine($"warning: {NeuronHost.Core.Text.TerminalText.Safe(warning)}");
        if (session.Info.Family == "use-lite")
            throw new CliException($"{modelDir}: use-lite is a sentence encoder without a language-model head; predict needs a gpt2, bert or llama checkpoint");
        int[] sequence = text is not null
            ? (session.Tokenizer ?? throw new CliException($"{modelDir}: the model has no tokenizer files; use --ids")).Encode(text)
            : ParseIds(idList!, session.Info.VocabSize);
        if (sequence.Length == 0) throw new CliException("the prompt has no tokens");
        if (sequence.Length > session.Info.MaxPositions) throw new CliException($"the prompt has {sequence.Length} tokens; the model takes at most {session.Info.MaxPositions}");

        int position = sequence.Length - 1;
        if (session.Info.IsMaskedLm)
        {
            int mask = session.Tokenizer?.MaskTokenId ?? -1;
            position = Array.IndexOf(sequence, mask);
            if (position < 0) throw new CliException("a masked LM predicts at [MASK], and the prompt has none");
        }
        var logits = session.Forward(new ForwardRequest([sequence]) { LogitPositions = [position] }).Logits[0].Row(0).ToArray();
        double max = logits.Max(), sum = logits.Sum(v => Math.Exp(v - max));
        var best = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(top)
            .Select(i => new { id = i, token = session.Tokenizer?.IdToToken(i), text = session.Tokenizer?.Decode([i]), logit = logits[i], probability = Math.Exp(logits[i] - max) / sum })
            .ToArray();

        if (cli.Json(parse))
        {
            cli.WriteJson(parse, new { model = session.Info.Name, ids = sequence, position, predictions = best });
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "id", "token", "logit", "probability");
        for (int i = 0; i < best.Length; i++)
            table.AddRow($"{i + 1}", $"{best[i].id}", Markup.Escape(best[i].text ?? ""), $"{best[i].logit:F3}", $"{best[i].probability:P2}");
        var console = cli.Console(parse);
        console.WriteLine($"{session.Info.Name}: predictions at position {position} of {sequence.Length} tokens");
        console.Write(table);
        return 0;
    }

    private static int[] ParseIds(string text, int vocab)
    {
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int id)) throw new CliException($"--ids: '{part}' is not an integer");
            if ((uint)id >= (uint)vocab) throw new CliException($"--ids: {id} is outside the vocabulary (0..{vocab - 1})");
            ids.Add(id);
        }
        return [.. ids];
    }
}
