using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>One model input: ids (at most the model's max positions) and the units it emits:
/// units [FirstUnit, FirstUnit + Spans.Length) of sentence <see cref="Sentence"/>, whose tokens
/// are <c>Spans[i]</c> within <see cref="Ids"/>. Rows [FirstRow, FirstRow + RowCount).</summary>
internal sealed record SequencePlan(int Sentence, int[] Ids, int FirstUnit, TokenSpan[] Spans, long FirstRow, int RowCount);

/// <summary>Splits a sentence's token ids into model inputs of at most maxPositions ids.
/// A sentence that fits is one input. A longer one is cut into windows at unit boundaries; each
/// window after the first begins with up to half the budget of preceding context units, whose
/// vectors are not emitted again, so every unit is emitted exactly once and has left context.
/// Special tokens the tokenizer put before the first unit / after the last are repeated in every
/// window. A single unit longer than the budget keeps its first tokens (counted as truncated).</summary>
internal static class SentenceWindows
{
    public static IEnumerable<(int[] Ids, int FirstUnit, TokenSpan[] Spans, int Truncated)> Split(WordAlignment alignment, int maxPositions)
    {
        var ids = alignment.Ids;
        var spans = alignment.Words;
        int n = spans.Count;
        if (ids.Length <= maxPositions)
        {
            yield return (ids, 0, spans.ToArray(), 0);
            yield break;
        }
        int prefix = n == 0 ? 0 : spans.Where(s => s.Length > 0).Select(s => s.Start).DefaultIfEmpty(0).Min();
        int end = n == 0 ? ids.Length : spans.Select(s => s.Start + s.Length).Max();
        int suffix = ids.Length - end;
        int budget = maxPositions - prefix - suffix;
        if (budget < 1) throw new InvalidOperationException($"max positions {maxPositions} leave no room next to {prefix + suffix} special tokens");

        // Token range of unit u inside the body; empty units take the position where they sit.
        int StartOf(int u) => spans[u].Start;
        int EndOf(int u) => spans[u].Start + spans[u].Length;

        int emit = 0;
        while (emit < n)
        {
            int ctx = emit;
            if (emit > 0)
                while (ctx > 0 && EndOf(emit - 1) - StartOf(ctx - 1) <= budget / 2) ctx--;
            int stop = emit;
            while (stop < n && EndOf(stop) - StartOf(ctx) <= budget) stop++;
            int truncated = 0;
            if (stop == emit)
            {
                // The unit alone is longer than the budget (or its context leaves no room).
                if (ctx < emit) { ctx = emit; while (stop < n && EndOf(stop) - StartOf(ctx) <= budget) stop++; }
                if (stop == emit) { stop = emit + 1; truncated = spans[emit].Length - budget; }
            }
            int bodyStart = StartOf(ctx), bodyEnd = Math.Min(EndOf(stop - 1), bodyStart + budget);
            var window = new int[prefix + (bodyEnd - bodyStart) + suffix];
            ids.AsSpan(0, prefix).CopyTo(window);
            ids.AsSpan(bodyStart, bodyEnd - bodyStart).CopyTo(window.AsSpan(prefix));
            ids.AsSpan(end, suffix).CopyTo(window.AsSpan(prefix + bodyEnd - bodyStart));
            var local = new TokenSpan[stop - emit];
            for (int u = emit; u < stop; u++)
            {
                int s = spans[u].Start - bodyStart + prefix;
                int len = Math.Min(spans[u].Length, prefix + (bodyEnd - bodyStart) - s);
                local[u - emit] = new TokenSpan(s, Math.Max(0, len));
            }
            yield return (window, emit, local, truncated);
            emit = stop;
        }
    }
}
