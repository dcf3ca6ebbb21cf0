using NeuronHost.Data.Store;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>One vector per word from the rows of its subword tokens.</summary>
internal static class WordPooling
{
    /// <summary>Writes the pooled vector of rows [span) of <paramref name="captured"/> into
    /// <paramref name="destination"/>; an empty span gives zeros (returns false).</summary>
    public static bool Pool(Tensor2D captured, TokenSpan span, WordAggregation aggregation, Span<float> destination)
    {
        if (span.Length <= 0) { destination.Clear(); return false; }
        switch (aggregation)
        {
            case WordAggregation.First: captured.Row(span.Start).CopyTo(destination); break;
            case WordAggregation.Last: captured.Row(span.Start + span.Length - 1).CopyTo(destination); break;
            default:
                captured.Row(span.Start).CopyTo(destination);
                for (int t = 1; t < span.Length; t++)
                    System.Numerics.Tensors.TensorPrimitives.Add(destination, captured.Row(span.Start + t), destination);
                System.Numerics.Tensors.TensorPrimitives.Divide(destination, span.Length, destination);
                break;
        }
        return true;
    }
}
