using NeuronHost.Kernels.Gpu;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>The intervention hook of the real GPT-2 (gpt2-mini-brown) with its masked edit run on
/// the ILGPU backend (its CPU accelerator here): the edited hook equals the unedited capture with
/// the edit's formula applied at the edited positions and neurons only, and the logits equal the
/// runtime's own row loop exactly.</summary>
public sealed class EditBackendTests
{
    [SharedFact]
    public void A_forward_with_its_edit_on_the_ILGPU_backend_matches_the_formula_and_the_row_loop()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        using var gpu = IlgpuKernels.OnCpuAccelerator();
        int[] ids = [448, 6899, 847, 317, 259, 1210];
        string hook = HookPoints.MlpPost(2);
        int[] neurons = [3, 4, 5, 6, 500, 1023];
        var values = new[] { 0.5f, -1f, 2f, 0.25f, -3f, 1.5f };
        var edit = new HookEdit(hook, new NeuronEdit(EditOp.ShiftBySign, neurons, values), Positions: [1, 4]);

        var plain = session.Forward(new ForwardRequest([ids]) { Capture = [hook] }).Captured[hook][0];
        var loop = session.Forward(new ForwardRequest([ids]) { Capture = [hook], Edits = [edit] });
        session.EditKernels = gpu;
        var onGpu = session.Forward(new ForwardRequest([ids]) { Capture = [hook], Edits = [edit] });
        session.EditKernels = null;

        var edited = onGpu.Captured[hook][0];
        for (int t = 0; t < ids.Length; t++)
            for (int j = 0; j < edited.Columns; j++)
            {
                float h = plain[t, j];
                int i = Array.IndexOf(neurons, j);
                float expected = (t is 1 or 4) && i >= 0 ? h + (h > 0 ? values[i] : -values[i]) : h;
                Assert.Equal(expected, edited[t, j]);
            }
        Assert.Equal(loop.Logits[0].Data, onGpu.Logits[0].Data);
        Assert.NotEqual(session.Forward(new ForwardRequest([ids])).Logits[0].Data, onGpu.Logits[0].Data);
    }
}
