using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>One edit of a hook value [tokens, width] on a set of rows: through the kernel backend
/// the host chose (<see cref="IComputeKernels.ApplyEdit"/> with a row mask; a GPU backend runs it
/// on the device), or row by row with <see cref="EditMath"/> when there is none. Both compute
/// the same float32 expressions, so the results are identical.</summary>
public static class MaskedEdit
{
    public static void Apply(Span<float> values, int tokens, int width, IReadOnlyList<int> rows, NeuronEdit edit, IComputeKernels? kernels)
    {
        if (rows.Count == 0) return;
        if (kernels is null)
        {
            foreach (int r in rows) EditMath.Apply(values.Slice(r * width, width), edit);
            return;
        }
        var mask = new bool[tokens];
        foreach (int r in rows)
        {
            // A row listed twice is edited twice, as the row loop does.
            if (mask[r]) { EditMath.Apply(values.Slice(r * width, width), edit); continue; }
            mask[r] = true;
        }
        kernels.ApplyEdit(values, tokens, width, mask, edit);
    }
}
