using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Applies a <see cref="HookEdit"/> to one sequence's hook value [rows, width] in place:
/// the edit's neurons at its positions (all rows when it names none).</summary>
public static class HookEditApplier
{
    public static void Apply(float[] values, int rows, int width, HookEdit edit)
    {
        IEnumerable<int> positions = edit.Positions ?? Enumerable.Range(0, rows);
        foreach (int p in positions)
        {
            if ((uint)p >= (uint)rows) continue;   // a position past this sequence's end
            EditMath.Apply(values.AsSpan(p * width, width), edit.Edit);
        }
    }
}
