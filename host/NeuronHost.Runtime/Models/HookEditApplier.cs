using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Applies a <see cref="HookEdit"/> to one sequence's hook value [rows, width] in place:
/// the edit's neurons at its positions (all rows when it names none).</summary>
public static class HookEditApplier
{
    public static void Apply(float[] values, int rows, int width, HookEdit edit)
    {
        var neurons = edit.Edit.Neurons;
        IEnumerable<int> positions = edit.Positions ?? Enumerable.Range(0, rows);
        foreach (int p in positions)
        {
            if ((uint)p >= (uint)rows) continue;   // a position past this sequence's end
            var row = values.AsSpan(p * width, width);
            for (int i = 0; i < neurons.Length; i++)
            {
                ref float h = ref row[neurons[i]];
                float v = edit.Edit.ValueFor(i);
                h = edit.Edit.Op switch
                {
                    EditOp.Zero => 0f,
                    EditOp.Set => v,
                    EditOp.Add => h + v,
                    EditOp.Scale => h * v,
                    EditOp.ShiftBySign => h + v * (h > 0 ? 1f : -1f),
                    _ => throw new ArgumentOutOfRangeException(nameof(edit), $"unknown edit {edit.Edit.Op}"),
                };
            }
        }
    }
}
