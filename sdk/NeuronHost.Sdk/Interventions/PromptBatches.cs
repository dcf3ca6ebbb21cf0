namespace NeuronHost.Sdk.Interventions;

/// <summary>Items [Start, Start + Count) of a list, one forward pass's worth.</summary>
public readonly record struct PromptBatch(int Start, int Count);

/// <summary>Splits a list of prompts (or texts) into forward-pass batches: the runtime pads
/// the sequences of a batch to one length, so a few dozen short prompts per pass is much faster
/// than one at a time, and a bounded batch keeps memory bounded.</summary>
public static class PromptBatches
{
    /// <summary>Consecutive batches of at most <paramref name="batchSize"/> items covering 0..count-1 in order.</summary>
    public static IEnumerable<PromptBatch> Of(int count, int batchSize)
    {
        if (batchSize < 1) throw new PluginInputException($"batch size must be at least 1 (got {batchSize})");
        for (int start = 0; start < count; start += batchSize)
            yield return new PromptBatch(start, Math.Min(batchSize, count - start));
    }

    /// <summary>The items of <paramref name="items"/> in consecutive batches of at most <paramref name="batchSize"/>.</summary>
    public static IEnumerable<T[]> Of<T>(IReadOnlyList<T> items, int batchSize) =>
        Of(items.Count, batchSize).Select(b => Enumerable.Range(b.Start, b.Count).Select(i => items[i]).ToArray());
}
