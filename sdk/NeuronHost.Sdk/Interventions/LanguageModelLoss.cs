namespace NeuronHost.Sdk.Interventions;

/// <summary>How well a model predicts held-out text: mean negative log-likelihood (nats) per
/// predicted token, with or without hook edits.
/// <para>The BOS rule: each text is encoded with <c>Tokenizer.Encode(text)</c> (the special
/// tokens the model's own tokenizer adds, nothing more; nothing is prepended here) and cut to
/// the model's <c>MaxPositions</c>. A causal LM is scored on every token from position 1 on,
/// each predicted from the tokens before it; position 0 is context only. So with a tokenizer that
/// adds a BOS token (Llama's) every word is scored, and with one that adds none (GPT-2) the first
/// token is not. A masked LM is scored on positions 1, 6, 11, … (never the first or last token,
/// usually [CLS] and [SEP]), all masked at once in one copy of the text. Texts with fewer than two
/// tokens are skipped.</para></summary>
public sealed class LanguageModelLoss
{
    private readonly IModelSession model;
    private readonly List<int[]> inputs = [];
    private readonly List<(int Position, int Token)[]> targets = [];

    /// <param name="model">the model to score</param>
    /// <param name="texts">held-out texts; the first <paramref name="maxSentences"/> usable ones are kept</param>
    /// <param name="maxSentences">most texts to score</param>
    /// <param name="plugin">the plugin's name, for error messages</param>
    public LanguageModelLoss(IModelSession model, IEnumerable<string> texts, int maxSentences, string plugin)
    {
        this.model = model;
        var tokenizer = model.Tokenizer
            ?? throw new PluginInputException($"{plugin}: model '{model.Info.Name}' has no tokenizer, so held-out text cannot be scored");
        foreach (var text in texts)
        {
            if (inputs.Count >= maxSentences) break;
            var ids = tokenizer.Encode(text);
            if (ids.Length > model.Info.MaxPositions) ids = ids[..model.Info.MaxPositions];
            if (ids.Length < 2) continue;
            if (model.Info.IsMaskedLm)
            {
                int mask = tokenizer.MaskTokenId ?? throw new PluginInputException($"{plugin}: masked LM without a [MASK] token");
                var masked = (int[])ids.Clone();
                var scored = new List<(int, int)>();
                for (int p = 1; p < ids.Length - 1; p += 5) { scored.Add((p, ids[p])); masked[p] = mask; }
                if (scored.Count == 0) continue;
                inputs.Add(masked); targets.Add([.. scored]);
            }
            else
            {
                inputs.Add(ids);
                targets.Add(Enumerable.Range(1, ids.Length - 1).Select(p => (p - 1, ids[p])).ToArray());
            }
        }
        if (inputs.Count == 0) throw new PluginInputException($"{plugin}: no held-out sentence with at least two tokens");
    }

    /// <summary>Texts kept (at most maxSentences).</summary>
    public int Sentences => inputs.Count;

    /// <summary>Tokens whose prediction is scored, over all kept texts.</summary>
    public long PredictedTokens => targets.Sum(t => (long)t.Length);

    /// <summary>Mean NLL per predicted token with the edits applied (none: the clean model),
    /// <paramref name="batchSize"/> texts per forward pass.</summary>
    public double MeanNll(IReadOnlyList<HookEdit> edits, CancellationToken cancellation, int batchSize = 16) =>
        SentenceItems(edits, cancellation, batchSize).Average();

    /// <summary>One value per kept text whose plain mean is <see cref="MeanNll"/>: the text's summed
    /// NLL × texts / predicted tokens. The items of a paired test over sentences.</summary>
    public double[] SentenceItems(IReadOnlyList<HookEdit> edits, CancellationToken cancellation, int batchSize = 16)
    {
        var sums = new double[inputs.Count];
        foreach (var batch in PromptBatches.Of(inputs.Count, batchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            var result = model.Forward(new ForwardRequest(inputs.GetRange(batch.Start, batch.Count)) { Edits = edits, Logits = LogitsMode.All }, cancellation);
            for (int s = 0; s < batch.Count; s++)
            {
                var logits = result.Logits[s];
                foreach (var (position, token) in targets[batch.Start + s])
                    sums[batch.Start + s] -= Softmax.LogProbability(logits.Row(position), token);
            }
        }
        double scale = inputs.Count / (double)PredictedTokens;
        for (int i = 0; i < sums.Length; i++) sums[i] *= scale;
        return sums;
    }
}
