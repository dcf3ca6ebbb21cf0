using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Applies a <see cref="HookEdit"/> to one sequence's hook value [rows, width] in place:
/// the edit's neurons at its positions (all rows when it names none), on the kernel backend when
/// one is given.</summary>
public static class HookEditApplier
{
    public static void Apply(float[] values, int rows, int width, HookEdit edit, IComputeKernels? kernels = null)
    {
        var positions = (edit.Positions ?? Enumerable.Range(0, rows))
            .Where(p => (uint)p < (uint)rows)   // a position past this sequence's end
            .ToArray();
        MaskedEdit.Apply(values.AsSpan(0, rows * width), rows, width, positions, edit.Edit, kernels);
    }
}
