using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

public sealed class HookTests
{
    private static readonly int[] Ids = [448, 6899, 847, 317, 259];

    [SharedFact]
    public void HookPointWidthsListEveryTransformerLensHook()
    {
        using var gpt2 = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        var w = gpt2.Info.HookPointWidths;
        Assert.Equal(4 * 7, w.Count);
        Assert.Equal(256, w["blocks.0.hook_resid_pre"]);
        Assert.Equal(256, w["blocks.3.attn.hook_z"]);
        Assert.Equal(1024, w["blocks.2.mlp.hook_post"]);
        Assert.Equal(1024, w["blocks.2.mlp.hook_pre"]);
        Assert.False(w.ContainsKey("blocks.0.mlp.hook_pre_linear"));
        using var llama = ModelLoader.Load(SharedAssets.Model("tiny-llama"));
        Assert.Equal(5 * 8, llama.Info.HookPointWidths.Count);
        Assert.Equal(172, llama.Info.HookPointWidths["blocks.4.mlp.hook_pre_linear"]);
        Assert.Equal("gpt2", gpt2.Info.Family);
        Assert.Equal(32, gpt2.Info.Identity.Length);
        Assert.NotEqual(gpt2.Info.Identity, llama.Info.Identity);
        using var again = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        Assert.Equal(gpt2.Info.Identity, again.Info.Identity);
    }

    [SharedFact]
    public void NothingCapturedMeansNothingReturned()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        var r = session.Forward(new ForwardRequest([Ids]) { Logits = LogitsMode.None });
        Assert.Empty(r.Captured);
        Assert.Empty(r.Logits);
    }

    [SharedFact]
    public void AnEditChangesExactlyTheEditedActivationsAndOnlyForThatCall()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        string[] capture = [HookPoints.MlpPost(0), HookPoints.MlpPost(1), HookPoints.MlpPost(2)];
        int[][] batch = [Ids, [448, 1192, 847, 317]];
        var before = session.Forward(new ForwardRequest(batch) { Capture = capture });
        int[] neurons = [3, 500, 1023];
        var edit = new HookEdit(HookPoints.MlpPost(1), new NeuronEdit(EditOp.Set, neurons, [1.5f, -2f, 0.25f]), Sequence: 0, Positions: [1, 3]);
        var edited = session.Forward(new ForwardRequest(batch) { Capture = capture, Edits = [edit] });

        // layer 0 (before the edit) untouched
        Assert.Equal(before.Captured[capture[0]][0].Data, edited.Captured[capture[0]][0].Data);
        // layer 1: exactly the edited cells changed, to the set values
        var a = before.Captured[capture[1]][0];
        var b = edited.Captured[capture[1]][0];
        for (int p = 0; p < a.Rows; p++)
            for (int n = 0; n < a.Columns; n++)
            {
                int k = Array.IndexOf(neurons, n);
                if ((p == 1 || p == 3) && k >= 0) Assert.Equal(new[] { 1.5f, -2f, 0.25f }[k], b[p, n]);
                else Assert.Equal(a[p, n], b[p, n]);
            }
        // the other sequence of the batch is not edited
        Assert.Equal(before.Captured[capture[1]][1].Data, edited.Captured[capture[1]][1].Data);
        Assert.Equal(before.Logits[1].Data, edited.Logits[1].Data);
        // downstream: later positions of layer 2 and the logits move; position 0 cannot (causal)
        Assert.NotEqual(before.Logits[0].Data, edited.Logits[0].Data);
        Assert.Equal(before.Captured[capture[2]][0].Row(0).ToArray(), edited.Captured[capture[2]][0].Row(0).ToArray());
        // the model is unchanged afterwards
        var after = session.Forward(new ForwardRequest(batch) { Capture = capture });
        Assert.Equal(before.Logits[0].Data, after.Logits[0].Data);
    }

    [SharedTheory]
    [InlineData(EditOp.Zero)]
    [InlineData(EditOp.Add)]
    [InlineData(EditOp.Scale)]
    [InlineData(EditOp.ShiftBySign)]
    public void EditOperationsFollowTheSdkSemantics(EditOp op)
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        string hook = HookPoints.MlpPre(2);
        var before = session.Forward(new ForwardRequest([Ids]) { Capture = [hook] }).Captured[hook][0];
        var edit = new HookEdit(hook, new NeuronEdit(op, [10, 20], Scalar: 0.5f));
        var after = session.Forward(new ForwardRequest([Ids]) { Capture = [hook], Edits = [edit] }).Captured[hook][0];
        for (int p = 0; p < Ids.Length; p++)
            foreach (int n in new[] { 10, 20 })
            {
                float h = before[p, n];
                float expected = op switch
                {
                    EditOp.Zero => 0f, EditOp.Add => h + 0.5f, EditOp.Scale => h * 0.5f,
                    _ => h + 0.5f * (h > 0 ? 1 : -1),
                };
                Assert.Equal(expected, after[p, n], 6);
            }
        Assert.Equal(before[2, 11], after[2, 11]);
    }

    [SharedFact]
    public void CancelledForwardStopsAndDisposedSessionRefuses()
    {
        var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        using (var cts = new CancellationTokenSource())
        {
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => session.Forward(new ForwardRequest([Ids]), cts.Token));
        }
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Forward(new ForwardRequest([Ids])));
    }

    [SharedFact]
    public void BadHookRequestsGiveClearErrors()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        var e1 = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([Ids]) { Capture = ["blocks.9.mlp.hook_post"] }));
        Assert.Contains("blocks.9.mlp.hook_post", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([Ids]) { Capture = ["blocks.0.mlp.hook_pre_linear"] }));
        Assert.Contains("unknown hook point", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([Ids])
        { Edits = [new HookEdit(HookPoints.MlpPost(0), new NeuronEdit(EditOp.Zero, [1024]))] }));
        Assert.Contains("neuron 1024", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([[1, 99999]])));
        Assert.Contains("99999", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([Enumerable.Repeat(5, 129).ToArray()])));
        Assert.Contains("at most 128", e5.Message);
    }
}
