using System.Text.Json;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>The reference.json of a shared model (an independent float64 PyTorch run).</summary>
internal sealed class ModelReference
{
    public sealed record Case(int[] Ids, int Position, float[] Logits, float[][][] MlpPost, int TargetId, double TargetLogProb, float[][][] Gradient);

    public JsonElement Root { get; }
    public List<Case> Cases { get; } = [];

    public ModelReference(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(SharedAssets.Model(model), "reference.json")));
        Root = doc.RootElement.Clone();
        foreach (var c in Root.GetProperty("cases").EnumerateArray())
        {
            var ids = Ints(c.GetProperty("ids"));
            bool masked = c.TryGetProperty("mask_position", out var mp);
            Cases.Add(new Case(ids, masked ? mp.GetInt32() : ids.Length - 1,
                Floats(c.GetProperty(masked ? "logits_at_mask" : "logits_last")),
                Cube(c.GetProperty("mlp_hook_post")), c.GetProperty("target_id").GetInt32(),
                c.GetProperty("target_logprob").GetDouble(), Cube(c.GetProperty("grad_logprob_wrt_mlp_hook_post"))));
        }
    }

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
    private static float[][][] Cube(JsonElement e) => e.EnumerateArray().Select(l => l.EnumerateArray().Select(Floats).ToArray()).ToArray();
}
