namespace NeuronHost.Sdk;

/// <summary>A small dense row-major matrix [Rows, Columns] returned by the model session
/// (logits, captured activations, gradients).</summary>
public sealed class Tensor2D(float[] data, int rows, int columns)
{
    public float[] Data { get; } = data.Length == (long)rows * columns
        ? data : throw new ArgumentException($"{data.Length} values do not make {rows} × {columns}");
    public int Rows { get; } = rows;
    public int Columns { get; } = columns;
    public Span<float> Row(int row) => Data.AsSpan(row * Columns, Columns);
    public float this[int row, int column] => Data[row * Columns + column];
}
