using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>The SDK's NeuronEdit applied to one row of a hook point, and its derivative for
/// the backward pass (Zero/Set cut the gradient, Scale multiplies it, Add/ShiftBySign pass it).</summary>
public static class EditMath
{
    public static void Apply(Span<float> row, NeuronEdit edit)
    {
        var neurons = edit.Neurons;
        for (int i = 0; i < neurons.Length; i++)
        {
            ref float h = ref row[neurons[i]];
            float v = edit.ValueFor(i);
            h = edit.Op switch
            {
                EditOp.Zero => 0f,
                EditOp.Set => v,
                EditOp.Add => h + v,
                EditOp.Scale => h * v,
                EditOp.ShiftBySign => h + v * (h > 0 ? 1f : -1f),
                _ => throw new ArgumentException($"unknown edit operation {edit.Op}"),
            };
        }
    }

    /// <summary>Turns ∂out/∂(edited row) into ∂out/∂(row before the edit).</summary>
    public static void Backprop(Span<float> gradRow, NeuronEdit edit)
    {
        var neurons = edit.Neurons;
        for (int i = 0; i < neurons.Length; i++)
        {
            switch (edit.Op)
            {
                case EditOp.Zero or EditOp.Set: gradRow[neurons[i]] = 0f; break;
                case EditOp.Scale: gradRow[neurons[i]] *= edit.ValueFor(i); break;
            }
        }
    }
}
