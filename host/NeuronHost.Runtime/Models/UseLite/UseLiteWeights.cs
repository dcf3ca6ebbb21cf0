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
        if (emb.Shape.Length != 2) throw new ModelLoadException(file.Path, emb.Name, $"expected a [vocab, width] matrix, found shape [{string.Join(", ", emb.Shape)}]");
        int width = emb.Shape[1];
        var layers = new List<UseLiteLayer>();
        for (int l = 0; file.TensorNames.Contains($"{Module}Layer_{l}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0"); l++)
            layers.Add(ReadLayer(file, l));
        if (layers.Count == 0) throw new ModelLoadException(file.Path, null, "no transformer layers found: not a USE-Lite graph");

        var weights = new UseLiteWeights
        {
            Embeddings = Floats(file, "module/Embeddings_en"),
            VocabSize = emb.Shape[0],
            EmbeddingWidth = width,
            InverseTimescales = Floats(file, $"{Apply}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"),
            MaxLength = IntScalar(file, "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y"),
            NormEpsilon = FloatScalar(file, $"{Apply}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"),
            Layers = layers,
            TanhKernel = Floats(file, "module/Encoder_en/hidden_layers/tanh_layer_0/weights"),
            TanhBias = Floats(file, "module/Encoder_en/hidden_layers/tanh_layer_0/bias"),
            L2Epsilon = FloatScalar(file, "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y"),
        };
        weights.CheckSizes(file.Path);
        return weights;
    }

    /// <summary>Every array has the length the widths imply, so a forged manifest is refused here
    /// rather than indexing out of range in the forward pass.</summary>
    private void CheckSizes(string path)
    {
        void Need(string what, long actual, long expected)
        {
            if (actual != expected) throw new ModelLoadException(path, what, $"has {actual} values where the graph's widths need {expected}");
        }
        int dm = ModelWidth;
        if (InverseTimescales.Length * 2 != EmbeddingWidth) Need("timing signal (×2)", InverseTimescales.Length * 2L, EmbeddingWidth);
        if (MaxLength <= 0) throw new ModelLoadException(path, "ClipToMaxLength", $"maximum length {MaxLength} is not positive");
        int input = EmbeddingWidth;
        for (int l = 0; l < Layers.Count; l++)
        {
            var layer = Layers[l];
            string at = $"Layer_{l}";
            if (layer.InputWidth != input) Need($"{at} qkv kernel input width", layer.InputWidth, input);
            if (layer.Heads <= 0 || layer.AttentionWidth % layer.Heads != 0) throw new ModelLoadException(path, at, $"{layer.AttentionWidth} attention dims do not split into heads of {layer.HeadDim}");
            int din = layer.InputWidth, d = layer.AttentionWidth, ff = layer.FfnInBias.Length;
            Need($"{at} attention layer_norm_scale", layer.AttentionNormScale.Length, din);
            Need($"{at} attention layer_norm_bias", layer.AttentionNormBias.Length, din);
            Need($"{at} qkv kernel", layer.QkvKernel.Length, (long)din * 3 * d);
            Need($"{at} qkv bias", layer.QkvBias.Length, 3L * d);
            Need($"{at} output kernel", layer.OutputKernel.Length, (long)d * dm);
            Need($"{at} output bias", layer.OutputBias.Length, dm);
            if (layer.ResidualKernel is null) Need($"{at} residual width (no projection)", din, dm);
            else
            {
                Need($"{at} residual kernel", layer.ResidualKernel.Length, (long)din * dm);
                Need($"{at} residual bias", layer.ResidualBias!.Length, dm);
            }
            Need($"{at} FFN layer_norm_scale", layer.FfnNormScale.Length, dm);
            Need($"{at} FFN layer_norm_bias", layer.FfnNormBias.Length, dm);
            Need($"{at} FFN conv1 kernel", layer.FfnInKernel.Length, (long)dm * ff);
            Need($"{at} FFN conv2 kernel", layer.FfnOutKernel.Length, (long)ff * dm);
            Need($"{at} FFN conv2 bias", layer.FfnOutBias.Length, dm);
            input = dm;
        }
        Need("tanh_layer_0 weights", TanhKernel.Length, (long)dm * dm);
        Need("tanh_layer_0 bias", TanhBias.Length, dm);
    }

    private static UseLiteLayer ReadLayer(TfJsModelFile file, int l)
    {
        string part = $"{Apply}Layer_{l}/TransformerLayer/";
        string stack = $"{Apply}TransformerStack/Layer_{l}/TransformerLayer/";
        var qkv = file.Tensor($"{Module}Layer_{l}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0");
        if (qkv.Shape.Length != 4) throw new ModelLoadException(file.Path, qkv.Name, $"expected a 4-d kernel, found shape [{string.Join(", ", qkv.Shape)}]");
        int inWidth = qkv.Shape[2];
        var split = file.Tensor($"{stack}MultiheadAttention/Const").Ints
            ?? throw new ModelLoadException(file.Path, $"{stack}MultiheadAttention/Const", "not an int32 tensor");
        int attnWidth = split.Length > 0 ? split[0] : 0;
        if (split.Length != 3 || split[1] != attnWidth || split[2] != attnWidth || qkv.Shape[3] != 3 * attnWidth)
            throw new ModelLoadException(file.Path, qkv.Name, $"q/k/v split {string.Join(",", split)} of layer {l} does not match the kernel {string.Join("×", qkv.Shape)}");
        int headDim = IntScalar(file, $"{stack}MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3");
        if (headDim <= 0 || attnWidth % headDim != 0)
            throw new ModelLoadException(file.Path, $"{stack}MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3", $"head width {headDim} does not divide the attention width {attnWidth}");
        bool hasResidual = file.TensorNames.Contains($"{part}dense/kernel/ConcatPartitions/concat");
        return new UseLiteLayer(
            inWidth, attnWidth, attnWidth / headDim,
            FloatScalar(file, $"{stack}MultiheadAttention/mul/y"),
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

    private static float FloatScalar(TfJsModelFile file, string name) =>
        file.Tensor(name).Floats is { Length: 1 } f ? f[0] : throw new ModelLoadException(file.Path, name, "expected a float32 scalar");

    private static int IntScalar(TfJsModelFile file, string name) =>
        file.Tensor(name).Ints is { Length: 1 } i ? i[0] : throw new ModelLoadException(file.Path, name, "expected an int32 scalar");

    private static float[] Floats(TfJsModelFile file, string name) =>
        file.Tensor(name).Floats ?? throw new ModelLoadException(file.Path, name, "not a float32 tensor");
}
