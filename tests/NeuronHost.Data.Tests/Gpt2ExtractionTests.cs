using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

/// <summary>The real model: gpt2-mini-brown (4 layers × 1,024 FFN neurons, GPT-2 BPE) over UD
/// English-EWT dev.</summary>
public class Gpt2ExtractionTests
{
    private static string ModelDir => SharedAssets.Model("gpt2-mini-brown");
    private static readonly string[] Hooks = Enumerable.Range(0, 4).Select(HookPoints.MlpPost).ToArray();

    private static ModelSession Load() => ModelLoader.Load(ModelDir, TokenizerLoader.TryLoad(ModelDir));

    [SharedFact]
    public void MultiwordTokenSentenceIsAlignedWithGpt2Bpe()
    {
        using var session = Load();
        var tokenizer = session.Tokenizer!;
        var s = ConlluReader.ReadFile(TestPaths.Ewt("dev"))
            .Single(x => x.Id == "weblog-blogspot.com_gettingpolitical_20030906235000_ENG_20030906_235000-0003");
        var surface = SentenceAlignment.Align(s, tokenizer, WordUnit.Surface);
        string Text(SentenceTokens a, int w) => tokenizer.Decode(a.Ids.Skip(a.WordSpans[w].Start).Take(a.WordSpans[w].Length));
        Assert.Equal(surface.WordSpans[0], surface.WordSpans[1]); // "Today" and "'s" share "Today's"
        Assert.Equal("Today's", Text(surface, 0).Trim());
        Assert.Equal(" incident", Text(surface, 2));
        Assert.Equal(string.Join(" ", s.SurfaceTokens.Select(t => t.Form)), tokenizer.Decode(surface.Ids).Trim()); // words joined by spaces, "peace ."
        var syntactic = SentenceAlignment.Align(s, tokenizer, WordUnit.Syntactic);
        Assert.Equal("Today", Text(syntactic, 0).Trim());
        Assert.Equal("'s", Text(syntactic, 1).Trim());
        Assert.True(syntactic.WordSpans[1].Start == syntactic.WordSpans[0].Start + syntactic.WordSpans[0].Length);
        for (int w = 1; w < s.Words.Count; w++)
            Assert.True(syntactic.WordSpans[w].Start >= syntactic.WordSpans[w - 1].Start + syntactic.WordSpans[w - 1].Length);
    }

    /// <summary>Cancels the extraction once the manifest lists <paramref name="shards"/> shards.</summary>
    private sealed class CancelAfterShards(IModelSession inner, string dir, int shards, CancellationTokenSource cts) : IModelSession
    {
        public ModelInfo Info => inner.Info;
        public ITokenizer? Tokenizer => inner.Tokenizer;
        public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default) => inner.Gradient(request, cancellation);
        public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
        {
            var manifest = Path.Combine(dir, StoreManifest.FileName);
            if (File.Exists(manifest) && StoreManifest.Read(manifest).Shards.Count >= shards) cts.Cancel();
            return inner.Forward(request, cancellation);
        }
    }

    [SharedFact]
    public void EwtDevExtractionCancelledMidwayResumesByteIdentical()
    {
        var corpus = Corpus.Load(TestPaths.Ewt("dev"));
        var root = TestPaths.TempDir("gpt2-ewt");
        string oneShot = Path.Combine(root, "one-shot"), resumed = Path.Combine(root, "resumed");
        ExtractionOptions Options(string dir) => new()
        {
            Corpus = corpus, HookPoints = Hooks, OutputDirectory = dir, ModelDirectory = ModelDir,
            Aggregation = WordAggregation.Last, BatchSize = 32, RowsPerShard = 2048, Task = Tasks.TaskSpec.Upos,
            Words = WordUnit.Syntactic, // the spot check below feeds the words joined by spaces
        };
        using var session = Load();
        try
        {
            var first = ExtractionJob.Run(session, Options(oneShot));
            Assert.Equal(StoreOpenState.Created, first.State);
            Assert.Equal(25147, first.Rows);
            Assert.Equal(13, first.ShardsWritten); // ceil(25147 / 2048)

            using var cts = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                ExtractionJob.Run(new CancelAfterShards(session, resumed, 5, cts), Options(resumed), null, cts.Token));
            var partial = StoreManifest.Read(Path.Combine(resumed, StoreManifest.FileName));
            Assert.False(partial.Complete);
            Assert.InRange(partial.Shards.Count, 5, 6);
            var finishedBefore = partial.Shards.ToDictionary(s => s.File, s => File.ReadAllBytes(Path.Combine(resumed, s.File)));

            var second = ExtractionJob.Run(session, Options(resumed));
            Assert.Equal(StoreOpenState.Resumed, second.State);
            Assert.Equal(13 - partial.Shards.Count, second.ShardsWritten);
            foreach (var (name, bytes) in finishedBefore) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(resumed, name)));

            var a = TestStores.Files(oneShot); var b = TestStores.Files(resumed);
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            Assert.Equal(16, a.Count); // 13 shards, manifest.json, tokens.tsv, writer.lock
            foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs between one-shot and resumed runs");

            // Spot check against a forward pass of one sentence alone: the row of its 3rd word is the
            // last BPE token of that word at each layer.
            using var store = ActivationStore.Open(resumed, verifyHashes: true);
            store.EnsureModel(session.Info.Identity);
            Assert.StartsWith("sha256:", store.Manifest.Model.Hash);
            var sentence = corpus.Sentences.ElementAt(10);
            long row = corpus.Sentences.Take(10).Sum(s => (long)s.Words.Count) + 2;
            var aligned = SentenceAlignment.Align(sentence, session.Tokenizer!, WordUnit.Syntactic);
            var forward = session.Forward(new ForwardRequest([aligned.Ids]) { Capture = Hooks, Logits = LogitsMode.None });
            var stored = store.SelectRows([row]).ToArray();
            int last = aligned.WordSpans[2].Start + aligned.WordSpans[2].Length - 1;
            for (int l = 0; l < 4; l++)
                for (int j = 0; j < 1024; j += 31)
                    Assert.Equal(forward.Captured[Hooks[l]][0][last, j], stored[l * 1024 + j], 4);
            Assert.Equal(sentence.Words[2].Upos, store.SidecarLabels[(int)row]);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
