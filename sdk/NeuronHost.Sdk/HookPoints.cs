namespace NeuronHost.Sdk;

/// <summary>Hook point names as TransformerLens spells them, so users already know them.</summary>
public static class HookPoints
{
    public static string ResidPre(int layer) => $"blocks.{layer}.hook_resid_pre";
    public static string AttnZ(int layer) => $"blocks.{layer}.attn.hook_z";
    public static string AttnOut(int layer) => $"blocks.{layer}.hook_attn_out";
    /// <summary>FFN neurons after the activation function (for SwiGLU: act(gate)·up).</summary>
    public static string MlpPost(int layer) => $"blocks.{layer}.mlp.hook_post";
    /// <summary>FFN pre-activation (input of the activation function; for SwiGLU the gate).</summary>
    public static string MlpPre(int layer) => $"blocks.{layer}.mlp.hook_pre";
    /// <summary>Llama's up_proj output, which Zhao et al. treat as the FFN neurons.</summary>
    public static string MlpPreLinear(int layer) => $"blocks.{layer}.mlp.hook_pre_linear";
    public static string MlpOut(int layer) => $"blocks.{layer}.hook_mlp_out";
    public static string ResidPost(int layer) => $"blocks.{layer}.hook_resid_post";

    /// <summary>Layer number of "blocks.{i}.…", or -1.</summary>
    public static int LayerOf(string hookPoint)
    {
        if (!hookPoint.StartsWith("blocks.", StringComparison.Ordinal)) return -1;
        int end = hookPoint.IndexOf('.', 7);
        return end > 7 && int.TryParse(hookPoint.AsSpan(7, end - 7), out int layer) ? layer : -1;
    }
}
