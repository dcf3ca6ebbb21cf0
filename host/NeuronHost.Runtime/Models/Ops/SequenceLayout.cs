namespace NeuronHost.Runtime.Models.Ops;

/// <summary>A batch packed into one [total tokens, width] matrix: sequence s occupies rows
/// [Offsets[s], Offsets[s] + Lengths[s]). Packing instead of padding means the linear layers
/// never compute on pad rows; attention masks follow from the sequence boundaries.</summary>
public sealed class SequenceLayout
{
    public int[] Offsets { get; }
    public int[] Lengths { get; }
    public int Total { get; }
    public int Count => Lengths.Length;

    public SequenceLayout(IReadOnlyList<int[]> sequences)
    {
        Offsets = new int[sequences.Count];
        Lengths = new int[sequences.Count];
        int total = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            Offsets[s] = total;
            Lengths[s] = sequences[s].Length;
            total += sequences[s].Length;
        }
        Total = total;
    }
}
