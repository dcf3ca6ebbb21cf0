using NeuronHost.Data.Corpora;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>gpt2-mini-brown and a slice of EWT, opened once for the real-model intervention tests.</summary>
public sealed class RealModelFixture : IDisposable
{
    private readonly Lazy<IModelSession> model = new(() => ModelOpener.Open(SharedAssets.Model("gpt2-mini-brown")));
    private readonly Lazy<Corpus> corpus = new(() => Corpus.Load(SharedAssets.Corpus("ud-english-ewt")));

    public IModelSession Model => model.Value;
    public Corpus Ewt => corpus.Value;
    public IComputeKernels Kernels { get; } = new CpuKernels(2);
    public IPluginContext Context() => new PluginContext(Kernels);

    /// <summary>Activations of <paramref name="hooks"/> at each word's last subword for a word-level
    /// task (upos or a feature); words without a value are skipped. Train and test sentences.</summary>
    public ProbingData TaskData(string task, string[] hooks, IReadOnlyList<AnnotatedSentence> train, IReadOnlyList<AnnotatedSentence> test) =>
        TaskData(task, hooks, train, [], test);

    /// <summary>The same with a dev split (classes numbered over all three splits).</summary>
    public ProbingData TaskData(string task, string[] hooks, IReadOnlyList<AnnotatedSentence> train, IReadOnlyList<AnnotatedSentence> dev, IReadOnlyList<AnnotatedSentence> test)
    {
        var classes = new List<string>();
        DataSplit Build(IReadOnlyList<AnnotatedSentence> sentences)
        {
            var values = new List<float>(); var labels = new List<int>(); var upos = new List<string>();
            foreach (var sentence in sentences)
            {
                var align = Model.Tokenizer!.EncodeWords(sentence.Words.Select(w => w.Form).ToArray());
                if (align.Ids.Length > Model.Info.MaxPositions) continue;
                var result = Model.Forward(new ForwardRequest([align.Ids]) { Capture = hooks, Logits = LogitsMode.None });
                for (int w = 0; w < sentence.Words.Count; w++)
                {
                    var word = sentence.Words[w];
                    string? label = task == "upos" ? word.Upos : word.Feature(task);
                    if (string.IsNullOrEmpty(label)) continue;
                    int c = classes.IndexOf(label);
                    if (c < 0) { classes.Add(label); c = classes.Count - 1; }
                    var span = align.Words[w];
                    int pos = span.Start + span.Length - 1;
                    foreach (var h in hooks) values.AddRange(result.Captured[h][0].Row(pos).ToArray());
                    labels.Add(c);
                    upos.Add(word.Upos);
                }
            }
            var neurons = hooks.SelectMany(h => Enumerable.Range(0, Model.Info.HookPointWidths[h]).Select(i => new NeuronRef(h, i))).ToArray();
            return new DataSplit(new DenseActivationMatrix(values.ToArray(), labels.Count, neurons), labels.ToArray()) { WordClasses = upos.ToArray() };
        }
        var trainSplit = Build(train);
        var devSplit = dev.Count > 0 ? Build(dev) : null;
        var testSplit = test.Count > 0 ? Build(test) : null;
        return new ProbingData(task, classes.ToArray(), trainSplit, devSplit, testSplit);
    }

    public void Dispose() => (model.IsValueCreated ? model.Value as IDisposable : null)?.Dispose();
}
