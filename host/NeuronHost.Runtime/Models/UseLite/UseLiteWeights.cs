using NeuronHost.Runtime.Models.TfJs;

namespace NeuronHost.Runtime.Models.UseLite;

/// <summary>One transformer layer of USE-Lite. Layer 0 attends in 256 dims and projects its
/// residual 256→512 (<see cref="ResidualKernel"/>); layer 1 works in 512 throughout.</summary>
public sealed record UseLiteLayer(
    int InputWidth, int AttentionWidth, int Heads, float QueryScale,
    float[] AttentionNormScale, float[] AttentionNormBias,
    float[] QkvKernel, float[] QkvBias,
    float[] OutputKernel, float[] OutputBias,
    float[]? ResidualKernel, float[]? ResidualBias,
    float[] FfnNormScale, float[] FfnNormBias,
    float[] FfnInKernel, float[] FfnInBias,
    float[] FfnOutKernel, float[] FfnOutBias)
{
    public int HeadDim => AttentionWidth / Heads;
}

/// <summary>The weights and constants of Universal Sentence Encoder Lite, read by name from the
/// TF.js graph model (the names are those of its TensorFlow Hub export).</summary>
public sealed class UseLiteWeights
{
    private const string Apply = "module_apply_default/Encoder_en/KonaTransformer/Encode/";
    private const string Module = "module/Encoder_en/KonaTransformer/Encode/";

    public required float[] Embeddings { get; init; }
    public required int VocabSize { get; init; }
    public required int EmbeddingWidth { get; init; }
    public required float[] InverseTimescales { get; init; }
    public required int MaxLength { get; init; }
    public required float NormEpsilon { get; init; }
    public required IReadOnlyList<UseLiteLayer> Layers { get; init; }
    public required float[] TanhKernel { get; init; }
    public required float[] TanhBias { get; init; }
    public required float L2Epsilon { get; init; }
    public int ModelWidth => Layers[^1].AttentionWidth;
    public int FfnWidth => Layers[0].FfnInBias.Length;

    public static UseLiteWeights From(TfJsModelFile file)
    {
        var emb = file.Tensor("module/Embeddings_en");
        int width = emb.Shape[1];
        var layers = new List<UseLiteLayer>();
        for (int l = 0; file.TensorNames.Contains($"{Module}Layer_{l}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0"); l++)
            layers.Add(ReadLayer(file, l));
        if (layers.Count == 0) throw new ModelLoadException(file.Path, null, "no transformer layers found: not a USE-Lite graph");

        return new UseLiteWeights
        {
            Embeddings = Floats(file, "module/Embeddings_en"),
            VocabSize = emb.Shape[0],
            EmbeddingWidth = width,
            InverseTimescales = Floats(file, $"{Apply}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"),
            MaxLength = file.Tensor("module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y").IntScalar,
            NormEpsilon = file.Tensor($"{Apply}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x").Scalar,
            Layers = layers,
            TanhKernel = Floats(file, "module/Encoder_en/hidden_layers/tanh_layer_0/weights"),
            TanhBias = Floats(file, "module/Encoder_en/hidden_layers/tanh_layer_0/bias"),
            L2Epsilon = file.Tensor("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y").Scalar,
        };
    }

    private static UseLiteLayer ReadLayer(TfJsModelFile file, int l)
    {
        string part = $"{Apply}Layer_{l}/TransformerLayer/";
        string stack = $"{Apply}TransformerStack/Layer_{l}/TransformerLayer/";
        var qkv = file.Tensor($"{Module}Layer_{l}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0");
        int inWidth = qkv.Shape[2];
        var split = file.Tensor($"{stack}MultiheadAttention/Const").Ints!;
        int attnWidth = split[0];
        if (split.Length != 3 || split[1] != attnWidth || split[2] != attnWidth || qkv.Shape[3] != 3 * attnWidth)
            throw new ModelLoadException(file.Path, qkv.Name, $"q/k/v split {string.Join(",", split)} of layer {l} does not match the kernel {string.Join("×", qkv.Shape)}");
        int headDim = file.Tensor($"{stack}MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3").IntScalar;
        bool hasResidual = file.TensorNames.Contains($"{part}dense/kernel/ConcatPartitions/concat");
        return new UseLiteLayer(
            inWidth, attnWidth, attnWidth / headDim,
            file.Tensor($"{stack}MultiheadAttention/mul/y").Scalar,
            Floats(file, $"{part}layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"),
            Floats(file, $"{part}layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"),
            qkv.Floats!, Floats(file, $"{part}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat"),
            Floats(file, $"{Module}Layer_{l}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0"),
            Floats(file, $"{part}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat"),
            hasResidual ? Floats(file, $"{part}dense/kernel/ConcatPartitions/concat") : null,
            hasResidual ? Floats(file, $"{part}dense/bias/ConcatPartitions/concat") : null,
            Floats(file, $"{part}FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"),
            Floats(file, $"{part}FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"),
            Floats(file, $"{stack}FFN/conv1/Tensordot/Reshape_1"), Floats(file, $"{part}FFN/conv1/bias/ConcatPartitions/concat"),
            Floats(file, $"{stack}FFN/conv2/Tensordot/Reshape_1"), Floats(file, $"{part}FFN/conv2/bias/ConcatPartitions/concat"));
    }

    private static float[] Floats(TfJsModelFile file, string name) =>
        file.Tensor(name).Floats ?? throw new ModelLoadException(file.Path, name, "not a float32 tensor");
}
