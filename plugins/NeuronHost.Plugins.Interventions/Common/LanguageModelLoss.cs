using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Common;

/// <summary>How well the model predicts held-out text: mean negative log-likelihood per
/// predicted token (nats). Causal LMs predict every next token; masked LMs predict every fifth
/// token with it masked (one masked copy per sentence).</summary>
internal sealed class LanguageModelLoss
{
    private readonly IModelSession model;
    private readonly List<int[]> inputs = [];
    private readonly List<(int Position, int Token)[]> targets = [];

    public LanguageModelLoss(IModelSession model, IEnumerable<string> texts, int maxSentences, string plugin)
    {
        this.model = model;
        var tokenizer = model.Tokenizer
            ?? throw new PluginInputException($"{plugin}: model '{model.Info.Name}' has no tokenizer, so held-out text cannot be scored");
        foreach (var text in texts.Take(maxSentences))
        {
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

    public int Sentences => inputs.Count;
    public long PredictedTokens => targets.Sum(t => (long)t.Length);

    /// <summary>Mean NLL per predicted token with the edits applied (none: the clean model).</summary>
    public double MeanNll(IReadOnlyList<HookEdit> edits, CancellationToken cancellation, int batchSize = 16)
    {
        double total = 0; long count = 0;
        for (int start = 0; start < inputs.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = Math.Min(batchSize, inputs.Count - start);
            var result = model.Forward(new ForwardRequest(inputs.GetRange(start, n)) { Edits = edits, Logits = LogitsMode.All }, cancellation);
            for (int s = 0; s < n; s++)
            {
                var logits = result.Logits[s];
                foreach (var (position, token) in targets[start + s])
                {
                    total -= Softmax.LogProbability(logits.Row(position), token);
                    count++;
                }
            }
        }
        return total / count;
    }
}
