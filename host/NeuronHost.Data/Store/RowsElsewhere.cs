using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>A run whose activation rows stayed where they were extracted (a cluster's silos):
/// the words and neurons are known here, the rows are not.</summary>
public sealed record RowsElsewhere(TokenTable Tokens, IReadOnlyList<NeuronRef> Neurons, string Where)
{
    public IActivationMatrix Select(long[] rows) => new Matrix(rows.LongLength, Neurons, Where);

    /// <summary>The shape of a row subset; reading it is an error naming where the rows are, never an empty matrix.</summary>
    private sealed class Matrix(long rows, IReadOnlyList<NeuronRef> neurons, string where) : IActivationMatrix
    {
        public long Rows => rows;
        public int Columns => neurons.Count;
        public IReadOnlyList<NeuronRef> Neurons => neurons;
        public int BlockCount => 1;
        public ActivationBlock GetBlock(int index) =>
            throw new InvalidOperationException($"this run's activation rows are not on this machine ({where})");
    }
}
