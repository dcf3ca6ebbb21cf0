namespace NeuronHost.Runtime.Models.TfJs;

/// <summary>One tensor of a TF.js weights manifest: float32 values, or int32 values for the
/// small integer constants the converter stores alongside the weights.</summary>
public sealed record TfJsTensor(string Name, int[] Shape, float[]? Floats, int[]? Ints)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public float Scalar => Floats is { Length: 1 } f ? f[0] : throw new InvalidDataException($"tensor '{Name}' is not a float scalar");
    public int IntScalar => Ints is { Length: 1 } i ? i[0] : throw new InvalidDataException($"tensor '{Name}' is not an int scalar");
}
