namespace NeuronHost.Sdk.Interventions;

/// <summary>How the model answered one multiple-choice prompt: log p of each choice's first token
/// at the prompt's answer position (<see cref="ResolvedPrompt"/>), the choice it prefers, and
/// whether that is the gold answer.</summary>
public sealed record AnswerScore(ResolvedPrompt Prompt, double[] ChoiceLogProbabilities, int Predicted)
{
    public bool Correct => Predicted == Prompt.Source.Answer;
    /// <summary>log p of the gold answer's first token.</summary>
    public double AnswerLogProbability => ChoiceLogProbabilities[Prompt.Source.Answer];
}

/// <summary>Per-prompt answer scoring, batched, with or without hook edits (an ablation's effect
/// on a task is the change of accuracy or of the answer's log p).</summary>
public static class AnswerScores
{
    /// <summary>Scores every prompt (batches of <paramref name="batchSize"/>); choices are compared by
    /// their first token (the policy of <see cref="PromptTargets"/>).</summary>
    public static IReadOnlyList<AnswerScore> Score(IModelSession model, IReadOnlyList<ResolvedPrompt> prompts,
        IReadOnlyList<HookEdit> edits, CancellationToken cancellation = default, int batchSize = 32)
    {
        var result = new List<AnswerScore>(prompts.Count);
        foreach (var batch in PromptBatches.Of(prompts, batchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            var request = new ForwardRequest(batch.Select(p => p.Ids).ToArray())
            {
                Edits = edits,
                Logits = LogitsMode.Last,
                LogitPositions = batch.Select(p => p.Position).ToArray(),
            };
            var logits = model.Forward(request, cancellation).Logits;
            for (int i = 0; i < batch.Length; i++)
            {
                var row = logits[i].Row(0);
                var scores = new double[batch[i].ChoiceTokens.Length];
                for (int c = 0; c < scores.Length; c++) scores[c] = Softmax.LogProbability(row, batch[i].FirstToken(c));
                int best = 0;
                for (int c = 1; c < scores.Length; c++) if (scores[c] > scores[best]) best = c;
                result.Add(new AnswerScore(batch[i], scores, best));
            }
        }
        return result;
    }

    /// <summary>Fraction of prompts answered correctly (NaN for none).</summary>
    public static double Accuracy(IReadOnlyList<AnswerScore> scores) =>
        scores.Count == 0 ? double.NaN : scores.Count(s => s.Correct) / (double)scores.Count;
}
