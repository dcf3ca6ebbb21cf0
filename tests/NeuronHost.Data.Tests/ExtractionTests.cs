using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

public class ExtractionTests
{
    private static readonly string[] Vocabulary = ["the", "cat", "sat", "on", "a", "mat", "dogs", "barked", "loudly", "yesterday", "internationalisation", "x"];

    private static Corpus MakeCorpus(int sentences, int minWords, int maxWords, int seed = 1)
    {
        var rng = new Random(seed);
        var list = new List<CorpusSentence>();
        for (int s = 0; s < sentences; s++)
        {
            int n = rng.Next(minWords, maxWords + 1);
            list.Add(CorpusSentence.FromWords($"s{s}", Enumerable.Range(0, n).Select(_ =>
            {
                int k = rng.Next(Vocabulary.Length);
                return new AnnotatedWord(Vocabulary[k], Upos: k % 2 == 0 ? "NOUN" : "VERB");
            }).ToArray()));
        }
        int train = sentences * 8 / 10;
        return new Corpus("fake", "test", [], [new CorpusSplit("train", list.Take(train).ToArray()), new CorpusSplit("dev", list.Skip(train).ToArray())]);
    }

    private static string[] Hooks => [HookPoints.MlpPost(0), HookPoints.MlpPost(1)];

    [Theory]
    [InlineData(WordAggregation.First)]
    [InlineData(WordAggregation.Last)]
    [InlineData(WordAggregation.Mean)]
    public void OneVectorPerWordFromItsSubwordTokens(WordAggregation aggregation)
    {
        var corpus = MakeCorpus(12, 2, 6);
        var dir = TestPaths.TempDir("extract");
        var session = new FakeSession();
        var result = ExtractionJob.Run(session, new ExtractionOptions
        {
            Corpus = corpus, HookPoints = Hooks, OutputDirectory = dir, Aggregation = aggregation, BatchSize = 5, RowsPerShard = 10,
            Task = TaskSpec.Upos,
        });
        Assert.Equal(StoreOpenState.Created, result.State);
        Assert.Equal(corpus.WordCount, result.Rows);
        using var store = ActivationStore.Open(dir, verifyHashes: true);
        Assert.Equal(12, store.Columns);
        var values = store.ToArray();
        long row = 0;
        foreach (var sentence in corpus.Sentences)
        {
            // Independent reconstruction of the ids: BOS, then each word's 3-character pieces.
            var ids = new List<int> { FakeTokenizer.Bos };
            var spans = new List<(int Start, int Length)>();
            for (int w = 0; w < sentence.Words.Count; w++)
            {
                var pieces = FakeTokenizer.Pieces(sentence.Words[w].Form, w == 0).Select(FakeTokenizer.IdOf).ToArray();
                spans.Add((ids.Count, pieces.Length));
                ids.AddRange(pieces);
            }
            foreach (var (start, length) in spans)
            {
                for (int layer = 0; layer < 2; layer++)
                    for (int j = 0; j < 6; j++)
                    {
                        double expected = aggregation switch
                        {
                            WordAggregation.First => FakeSession.Value(ids, start, layer, j),
                            WordAggregation.Last => FakeSession.Value(ids, start + length - 1, layer, j),
                            _ => Enumerable.Range(start, length).Average(p => FakeSession.Value(ids, p, layer, j)),
                        };
                        Assert.Equal(expected, values[row * 12 + layer * 6 + j], 5);
                    }
                row++;
            }
        }
        Assert.Equal("upos", store.Manifest.Task!.Name);
        Assert.Equal(corpus.Sentences.SelectMany(s => s.Words).Select(w => w.Upos), store.SidecarLabels);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void LongSentencesAreWindowedWithinMaxPositions()
    {
        var corpus = MakeCorpus(6, 30, 60, seed: 4);
        var dir = TestPaths.TempDir("window");
        var session = new FakeSession(maxPositions: 24);
        var result = ExtractionJob.Run(session, new ExtractionOptions { Corpus = corpus, HookPoints = Hooks, OutputDirectory = dir, Aggregation = WordAggregation.Last });
        Assert.True(result.WindowedSentences == 6, $"{result.WindowedSentences} windowed");
        Assert.All(session.SequenceLengths, n => Assert.InRange(n, 2, 24));
        Assert.Equal(0, result.TruncatedTokens);
        using var store = ActivationStore.Open(dir);
        Assert.Equal(corpus.WordCount, store.Rows);
        var values = store.ToArray();
        // Words of the first window see the same prefix as an unwindowed run: check them against
        // the closed form; every row was written (no zero rows).
        var first = corpus.Sentences.First();
        var ids = new List<int> { FakeTokenizer.Bos };
        for (int w = 0; w < first.Words.Count; w++)
        {
            ids.AddRange(FakeTokenizer.Pieces(first.Words[w].Form, w == 0).Select(FakeTokenizer.IdOf));
            if (ids.Count > 24) break;
            Assert.Equal(FakeSession.Value(ids, ids.Count - 1, 1, 3), values[w * 12 + 6 + 3], 5);
        }
        for (long r = 0; r < store.Rows; r++) Assert.Contains(values.AsSpan((int)r * 12, 12).ToArray(), v => v != 0);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData(StoreDType.Float32)]
    [InlineData(StoreDType.Float16)]
    public void CancelledExtractionResumesByteIdenticalAndIsThenReused(StoreDType dtype)
    {
        var corpus = MakeCorpus(40, 3, 9, seed: 7);
        ExtractionOptions Options(string dir) => new()
        {
            Corpus = corpus, HookPoints = Hooks, OutputDirectory = dir, BatchSize = 3, RowsPerShard = 16, DType = dtype, Aggregation = WordAggregation.Mean,
        };
        var oneShot = TestPaths.TempDir("oneshot");
        ExtractionJob.Run(new FakeSession(), Options(oneShot));

        var dir = TestPaths.TempDir("cancelled");
        using var cts = new CancellationTokenSource();
        var session = new FakeSession();
        int shards = 0;
        var first = Options(dir);
        // Cancel once 3 shards are on disk (the writer reports each through the manifest).
        session.BeforeForward = () =>
        {
            var manifest = Path.Combine(dir, "manifest.json");
            if (File.Exists(manifest) && StoreManifest.Read(manifest).Shards.Count >= 3) { shards = 3; cts.Cancel(); }
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ExtractionJob.Run(session, first, null, cts.Token));
        Assert.Equal(3, shards);
        var partial = StoreManifest.Read(Path.Combine(dir, "manifest.json"));
        Assert.False(partial.Complete);
        Assert.InRange(partial.Shards.Count, 3, 4);

        var reports = new List<ProgressReport>();
        var resumed = ExtractionJob.Run(new FakeSession(), Options(dir), new SyncProgress(reports.Add));
        Assert.Equal(StoreOpenState.Resumed, resumed.State);
        Assert.True(reports[0].Done > 0, "resume starts past the finished shards");
        Assert.Equal(reports[^1].Total, reports[^1].Done);

        var a = TestStores.Files(oneShot); var b = TestStores.Files(dir);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs");

        var idle = new FakeSession();
        var reused = ExtractionJob.Run(idle, Options(dir));
        Assert.Equal(StoreOpenState.Reused, reused.State);
        Assert.Equal(0, idle.ForwardCalls);

        var other = new FakeSession();
        var e = Assert.Throws<StoreMismatchException>(() => ExtractionJob.Run(other, Options(dir) with { HookPoints = [HookPoints.MlpPost(1)] }));
        Assert.Contains("hook points", e.Message);
        Directory.Delete(dir, true); Directory.Delete(oneShot, true);
    }

    [Fact]
    public void SurfaceModeGivesTheWordsOfAMultiwordTokenItsVector()
    {
        var words = new[] { new AnnotatedWord("they"), new AnnotatedWord("did"), new AnnotatedWord("n't"), new AnnotatedWord("go") };
        var sentence = new CorpusSentence(new AnnotatedSentence("mwt", words),
            [new SurfaceToken("they", 0, 0), new SurfaceToken("didn't", 1, 2), new SurfaceToken("go", 3, 3)]);
        var corpus = new Corpus("mwt", "test", [], [new CorpusSplit("all", [sentence])]);
        var dir = TestPaths.TempDir("surface");
        ExtractionJob.Run(new FakeSession(), new ExtractionOptions { Corpus = corpus, HookPoints = [HookPoints.MlpPost(0)], OutputDirectory = dir, Words = WordUnit.Surface, Aggregation = WordAggregation.Last });
        using var store = ActivationStore.Open(dir);
        Assert.Equal(4, store.Rows);
        var v = store.ToArray();
        // ids: BOS, "the","y", " di","dn'","t", " go" → "didn't" is positions 3..5; its last piece is 5.
        var ids = new[] { FakeTokenizer.Bos }.Concat(new[] { "the", "y", " di", "dn'", "t", " go" }.Select(FakeTokenizer.IdOf)).ToArray();
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(FakeSession.Value(ids, 5, 0, j), v[1 * 6 + j], 5);
            Assert.Equal(FakeSession.Value(ids, 5, 0, j), v[2 * 6 + j], 5);
            Assert.Equal(FakeSession.Value(ids, 6, 0, j), v[3 * 6 + j], 5);
        }
        Assert.Equal("surface", store.Manifest.WordUnit);
        Directory.Delete(dir, true);
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
