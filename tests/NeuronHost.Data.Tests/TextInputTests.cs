using System.Text.Json;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

/// <summary>Needs ../shared and python3 with torch (the independent forward).</summary>
public sealed class SharedTorchFactAttribute : FactAttribute
{
    public SharedTorchFactAttribute()
    {
        if (!SharedAssets.Available && !SharedAssets.Required) Skip = SharedAssets.SkipReason;
        else if (!SharedAssets.Required && !PythonReference.HasModule("torch")) Skip = "needs python3 with torch (Debian python3-torch) as the reference";
    }
}

/// <summary>lm_input: text on gpt2-mini-brown and UD English-EWT: the model reads each sentence's
/// <c># text</c> and words are aligned by characters.</summary>
public class TextInputTests
{
    private static string ModelDir => SharedAssets.Model("gpt2-mini-brown");
    private static ModelSession Load() => ModelLoader.Load(ModelDir, TokenizerLoader.TryLoad(ModelDir));

    [SharedFact]
    public void CleanLossOnEwtTextIsLowerThanOnJoinedWords()
    {
        using var session = Load();
        var sentences = ConlluReader.ReadFile(TestPaths.Ewt("test")).Where(s => !string.IsNullOrEmpty(s.Text)).Take(300).ToArray();
        double text = new LanguageModelLoss(session, sentences.Select(s => (s.Annotated with { SourceText = s.Text }).Text), 300, "test")
            .MeanNll([], CancellationToken.None);
        double words = new LanguageModelLoss(session, sentences.Select(s => s.Annotated.Text), 300, "test")
            .MeanNll([], CancellationToken.None);
        // The model's held-out loss on its own (Brown + SOTU) text is 4.86 nats (training.json);
        // EWT web text is another domain, but "do n't" and " ." are not how English is written.
        Assert.True(text < words - 0.3, $"text {text:F3} nats vs joined words {words:F3}");
        Assert.InRange(text, 4.0, 7.0);
    }

    [SharedFact]
    public void MultiwordTokenWordsShareTheTokensOfTheirText()
    {
        using var session = Load();
        var s = ConlluReader.ReadFile(TestPaths.Ewt("dev"))
            .Single(x => x.Id == "weblog-blogspot.com_gettingpolitical_20030906235000_ENG_20030906_235000-0003");
        var tok = session.Tokenizer!;
        var a = TextAlignment.Align(s, tok, true, out var reason) ?? throw new InvalidOperationException(reason);
        Assert.Equal(s.Text, tok.Decode(a.Ids)); // the text itself, not "Today 's incident …"
        Assert.Equal(a.WordSpans[0], a.WordSpans[1]); // "Today" and "'s" of "Today's"
        Assert.Equal("Today's", tok.Decode(a.Ids.Skip(a.WordSpans[0].Start).Take(a.WordSpans[0].Length)));
        Assert.Equal(" incident", tok.Decode(a.Ids.Skip(a.WordSpans[2].Start).Take(a.WordSpans[2].Length)));
        // The final "." follows its word without a space in the text.
        var lastSpan = a.WordSpans[^1];
        Assert.Equal(".", tok.Decode(a.Ids.Skip(lastSpan.Start).Take(lastSpan.Length)));
    }

    [SharedFact]
    public void A_text_that_disagrees_with_its_forms_falls_back_to_the_words_with_a_reason()
    {
        using var session = Load();
        var tok = session.Tokenizer!;
        // Hostile or malformed `# text` lines: forms out of order, a form missing, escape
        // sequences and a 100,000-character text that never contains the forms.
        string[] texts = ["world Hello .", "Hello .", "\u001B]0;pwned\u0007Hello world .", new string('x', 100_000)];
        foreach (string text in texts)
        {
            string conllu = $"# sent_id = s1\n# text = {text}\n1\tHello\thello\tINTJ\t_\t_\t0\troot\t_\t_\n" +
                "2\tworld\tworld\tNOUN\t_\t_\t1\tvocative\t_\t_\n3\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n";
            var sentence = ConlluReader.Read(new StringReader(conllu), "hostile.conllu").Single();
            Assert.Null(TextAlignment.Align(sentence, tok, true, out var reason));
            Assert.Equal("forms do not match # text", reason);
        }
    }

    [SharedTorchFact]
    public void TextStoreRowsEqualAnIndependentTorchForwardOfTheText()
    {
        var corpus = Corpus.Load(TestPaths.Ewt("dev")).FirstSentences(120);
        var hooks = Enumerable.Range(0, 4).Select(HookPoints.MlpPost).ToArray();
        var root = TestPaths.TempDir("text-input");
        try
        {
            using var session = Load();
            var result = ExtractionJob.Run(session, new ExtractionOptions
            {
                Corpus = corpus, HookPoints = hooks, OutputDirectory = Path.Combine(root, "store"), ModelDirectory = ModelDir,
                Words = WordUnit.Text,
            });
            Assert.Empty(result.TextFallbacks);
            Assert.Equal(corpus.SentenceCount, result.TextSentences);
            // A run that reuses the store states the same input as the run that wrote it.
            var reused = ExtractionJob.Run(session, new ExtractionOptions
            {
                Corpus = corpus, HookPoints = hooks, OutputDirectory = Path.Combine(root, "store"), ModelDirectory = ModelDir,
                Words = WordUnit.Text,
            });
            Assert.Equal(StoreOpenState.Reused, reused.State);
            Assert.True(reused.TextRecorded);
            Assert.Equal(corpus.SentenceCount, reused.TextSentences);
            Assert.Empty(reused.TextFallbacks);
            using var store = ActivationStore.Open(Path.Combine(root, "store"), verifyHashes: true);
            Assert.Equal("text", store.Manifest.WordUnit);

            // Sentences that fit the model's 128 positions (longer ones are windowed), with their rows.
            var tok = session.Tokenizer!;
            var picked = new List<(CorpusSentence Sentence, int[] Ids, long FirstRow)>();
            long row = 0;
            foreach (var s in corpus.Sentences)
            {
                var ids = tok.Encode(s.Text!, addSpecialTokens: false);
                if (ids.Length <= session.Info.MaxPositions) picked.Add((s, ids, row));
                row += s.Words.Count;
            }
            Assert.Contains(picked, p => p.Sentence.SurfaceTokens.Any(t => t.IsMultiword));
            var job = new
            {
                model = ModelDir, layers = new[] { 0, 1, 2, 3 },
                sentences = picked.Select(p => new
                {
                    text = p.Sentence.Text, ids = p.Ids,
                    surface = p.Sentence.SurfaceTokens.Select(t => new object[] { t.Form, t.FirstWord, t.LastWord }),
                }),
            };
            string jobFile = Path.Combine(root, "job.json"), outPrefix = Path.Combine(root, "ref");
            File.WriteAllText(jobFile, JsonSerializer.Serialize(job));
            string script = File.ReadAllText(Path.Combine(SharedAssets.RepoRoot, "tools", "references", "gpt2_text_activations.py"));
            PythonReference.RunOrThrow($"import sys\nsys.argv = ['ref', {JsonSerializer.Serialize(jobFile)}, {JsonSerializer.Serialize(outPrefix)}]\n" + script);
            var reference = MemoryMarshalFloats(File.ReadAllBytes(outPrefix + ".bin"));
            int columns = store.Columns, r = 0;
            double worst = 0;
            foreach (var (s, _, firstRow) in picked)
            {
                var stored = store.SelectRows(Enumerable.Range(0, s.Words.Count).Select(w => firstRow + w).ToArray()).ToArray();
                for (int i = 0; i < stored.Length; i++) worst = Math.Max(worst, Math.Abs(stored[i] - reference[r * columns + i]));
                r += s.Words.Count;
            }
            Assert.Equal(reference.Length, r * columns);
            Assert.True(worst < 1e-4, $"largest difference from the torch forward {worst:E2}");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static float[] MemoryMarshalFloats(byte[] bytes)
    {
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, floats.Length * 4);
        return floats;
    }
}
