namespace NeuronHost.Sdk.Interventions;

/// <summary>A prompt as the model sees it: its ids, the position whose prediction is scored, and
/// each choice's tokens there. A choice of several tokens is scored by its first token (the
/// documented policy for NEG, NeurGrad and skill neurons; Zhao et al. use single-token labels).</summary>
public sealed record ResolvedPrompt(ChoicePrompt Source, int[] Ids, int Position, int[][] ChoiceTokens)
{
    public int FirstToken(int choice) => ChoiceTokens[choice][0];
    public int AnswerToken => FirstToken(Source.Answer);
}

public static class PromptTargets
{
    public static ResolvedPrompt Resolve(IModelSession model, ChoicePrompt prompt, string plugin)
    {
        var tokenizer = model.Tokenizer
            ?? throw new PluginInputException($"{plugin}: model '{model.Info.Name}' has no tokenizer, so text prompts cannot be used");
        if (prompt.Choices.Count < 1 || (uint)prompt.Answer >= (uint)prompt.Choices.Count)
            throw new PluginInputException($"{plugin}: prompt \"{prompt.Prompt}\" has answer {prompt.Answer} but {prompt.Choices.Count} choices");

        if (model.Info.IsMaskedLm)
        {
            var ids = tokenizer.Encode(prompt.Prompt);
            int mask = tokenizer.MaskTokenId is int m ? Array.IndexOf(ids, m) : -1;
            if (mask < 0) throw new PluginInputException($"{plugin}: prompt \"{prompt.Prompt}\" has no [MASK] for the masked LM to fill");
            var choices = prompt.Choices.Select(c => NonEmpty(tokenizer.Encode(c, addSpecialTokens: false), c, plugin)).ToArray();
            return new ResolvedPrompt(prompt, ids, mask, choices);
        }

        var promptIds = tokenizer.Encode(prompt.Prompt);
        if (promptIds.Length == 0) throw new PluginInputException($"{plugin}: prompt \"{prompt.Prompt}\" has no tokens");
        var choiceTokens = prompt.Choices.Select(choice =>
        {
            // Prefer the tokens the choice gets in context; fall back to " choice" on its own
            // when the tokenizer merges across the boundary.
            var full = tokenizer.Encode(prompt.Prompt + " " + choice);
            if (full.Length > promptIds.Length && full.AsSpan(0, promptIds.Length).SequenceEqual(promptIds))
                return full[promptIds.Length..];
            return NonEmpty(tokenizer.Encode(" " + choice, addSpecialTokens: false), choice, plugin);
        }).ToArray();
        return new ResolvedPrompt(prompt, promptIds, promptIds.Length - 1, choiceTokens);
    }

    private static int[] NonEmpty(int[] ids, string text, string plugin) =>
        ids.Length > 0 ? ids : throw new PluginInputException($"{plugin}: choice \"{text}\" has no tokens");
}
