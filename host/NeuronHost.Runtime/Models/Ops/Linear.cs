using System.Numerics.Tensors;
using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>y = x·W (+ b) for x [rows, In]. W is stored either [In, Out] (GPT-2's Conv1D) or
/// [Out, In] (torch.nn.Linear); both go straight to SGEMM without a transposed copy.</summary>
public sealed class Linear(Weight weight, Weight? bias, int inFeatures, int outFeatures, bool storedInOut)
{
    public Weight Weight { get; } = weight;
    public Weight? Bias { get; } = bias;
    public int In { get; } = inFeatures;
    public int Out { get; } = outFeatures;
    public bool StoredInOut { get; } = storedInOut;

    /// <summary>y[r, 0..Out) (row stride ldy) ← x[r, :]·W + b.</summary>
    public void Forward(ReadOnlySpan<float> x, int rows, Span<float> y, int ldy)
    {
        if (rows == 0) return;
        Gemm.Sgemm(false, !StoredInOut, rows, Out, In, 1f, x, In, Weight.Span, StoredInOut ? Out : In, 0f, y, ldy);
        if (Bias is null) return;
        var b = Bias.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = y.Slice(r * ldy, Out);
            TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>dx ← dy·Wᵀ + beta·dx (the gradient with respect to the input).</summary>
    public void BackwardInput(ReadOnlySpan<float> dy, int ldy, int rows, Span<float> dx, float beta)
    {
        if (rows == 0) return;
        Gemm.Sgemm(false, StoredInOut, rows, In, Out, 1f, dy, ldy, Weight.Span, StoredInOut ? Out : In, beta, dx, In);
    }
}
