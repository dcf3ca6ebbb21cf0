using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tests.UseLite;

public sealed class UseLiteHookTests
{
    [UseLiteFact]
    public void Edit_changes_exactly_the_edited_activations_and_the_next_forward_is_clean()
    {
        var session = ModelOpener.Open(UseLiteReference.PackageFolder);
        var ids = session.Tokenizer!.Encode("The dogs near the house are barking.");
        string hook = HookPoints.MlpPost(0);
        var clean = session.Forward(new ForwardRequest([ids]) { Capture = [hook, HookPoints.MlpPost(1)] });
        var edited = session.Forward(new ForwardRequest([ids])
        {
            Capture = [hook, HookPoints.MlpPost(1)],
            Edits = [new HookEdit(hook, new NeuronEdit(EditOp.Set, [5, 700], [3f, -1f]), 0, [2])],
        });
        var before = clean.Captured[hook][0]; var after = edited.Captured[hook][0];
        for (int p = 0; p < before.Rows; p++)
            for (int n = 0; n < before.Columns; n++)
            {
                float expected = p == 2 && n == 5 ? 3f : p == 2 && n == 700 ? -1f : before[p, n];
                Assert.Equal(expected, after[p, n]);
            }
        Assert.NotEqual(clean.Logits[0].Data, edited.Logits[0].Data);           // the edit propagates
        Assert.NotEqual(clean.Captured[HookPoints.MlpPost(1)][0].Data, edited.Captured[HookPoints.MlpPost(1)][0].Data);
        var again = session.Forward(new ForwardRequest([ids]));
        Assert.Equal(clean.Logits[0].Data, again.Logits[0].Data);              // nothing stuck to the model
    }

    [UseLiteFact]
    public void Unknown_hook_point_and_out_of_range_neuron_are_clear_errors()
    {
        var session = ModelOpener.Open(UseLiteReference.PackageFolder);
        var ids = session.Tokenizer!.Encode("hello");
        var hook = Assert.Throws<ArgumentException>(() => session.Forward(new ForwardRequest([ids]) { Capture = ["blocks.7.mlp.hook_post"] }));
        Assert.Contains("no hook point 'blocks.7.mlp.hook_post'", hook.Message);
        var neuron = Assert.ThrowsAny<ArgumentException>(() => session.Forward(new ForwardRequest([ids])
        { Edits = [new HookEdit(HookPoints.MlpPost(0), new NeuronEdit(EditOp.Zero, [1536]))] }));
        Assert.Contains("neuron 1536 is outside blocks.0.mlp.hook_post (width 1536)", neuron.Message);
    }
}
