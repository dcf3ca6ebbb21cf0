using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Ablation;

/// <summary>What an ablation is measured by: a language model's mean NLL on held-out text, or a
/// sentence encoder's mean cosine distance from its clean embeddings.</summary>
internal abstract class OutputMetric
{
    public abstract string Name { get; }
    public abstract int Sentences { get; }
    /// <summary>One value per scored sentence; their plain mean is the metric.</summary>
    public abstract double[] MeasureItems(IReadOnlyList<HookEdit> edits);
    public double Measure(IReadOnlyList<HookEdit> edits) => MeasureItems(edits).Average();

    public static OutputMetric Create(IModelSession model, string[] texts, int maxSentences, string plugin, CancellationToken cancellation)
    {
        var tokenizer = model.Tokenizer
            ?? throw new PluginInputException($"{plugin}: model '{model.Info.Name}' has no tokenizer, so held-out text cannot be scored");
        var first = texts.Select(t => tokenizer.Encode(t)).FirstOrDefault(ids => ids.Length > 0)
            ?? throw new PluginInputException($"{plugin}: the held-out sentences have no tokens");
        return ModelOutputs.IsSentenceEncoder(model, first)
            ? new EmbeddingShift(model, texts.Take(maxSentences).Select(t => tokenizer.Encode(t)).Where(ids => ids.Length > 0).ToList(), cancellation)
            : new LanguageModelNll(new LanguageModelLoss(model, texts, maxSentences, plugin), cancellation);
    }

    private sealed class LanguageModelNll(LanguageModelLoss loss, CancellationToken cancellation) : OutputMetric
    {
        public override string Name => "lm_nll";
        public override int Sentences => loss.Sentences;
        public override double[] MeasureItems(IReadOnlyList<HookEdit> edits) => loss.SentenceItems(edits, cancellation);
    }

    private sealed class EmbeddingShift : OutputMetric
    {
        private readonly IModelSession model;
        private readonly List<int[]> inputs;
        private readonly CancellationToken cancellation;
        private readonly IReadOnlyList<Tensor2D> clean;

        public EmbeddingShift(IModelSession model, List<int[]> inputs, CancellationToken cancellation)
        {
            this.model = model; this.inputs = inputs; this.cancellation = cancellation;
            clean = model.Forward(new ForwardRequest(inputs), cancellation).Logits;
        }

        public override string Name => "embedding_cosine_distance";
        public override int Sentences => inputs.Count;

        public override double[] MeasureItems(IReadOnlyList<HookEdit> edits)
        {
            var edited = model.Forward(new ForwardRequest(inputs) { Edits = edits }, cancellation).Logits;
            var items = new double[inputs.Count];
            for (int i = 0; i < inputs.Count; i++) items[i] = 1 - ModelOutputs.Cosine(clean[i].Data, edited[i].Data);
            return items;
        }
    }
}
