using NeuronHost.Data.Corpora;

namespace NeuronHost.Data.Tests;

public class BrownAndNeuroxTests
{
    // Counted independently with awk over c[a-r][0-9][0-9]: non-blank lines = sentences,
    // whitespace-separated fields = tokens, distinct text after the last '/' = tags.
    [BrownFact]
    public void BrownCountsMatchTheFiles()
    {
        var corpus = Corpus.Load(TestPaths.BrownDir);
        Assert.Equal(500, corpus.Files.Count);
        Assert.Equal(57340, corpus.SentenceCount);
        Assert.Equal(1161192, corpus.WordCount);
        var words = corpus.Sentences.SelectMany(s => s.Words).ToArray();
        Assert.Equal(472, words.Select(w => w.Xpos).Distinct().Count());
        var first = corpus.Sentences.First();
        Assert.Equal("ca01:1", first.Id);
        Assert.Equal(("The", "at", "DET"), (first.Words[0].Form, first.Words[0].Xpos, first.Words[0].Upos));
        Assert.Equal(("Fulton", "np-tl", "NOUN"), (first.Words[1].Form, first.Words[1].Xpos, first.Words[1].Upos));
        Assert.Equal(("Atlanta's", "np$"), (first.Words[10].Form, first.Words[10].Xpos));
        Assert.Contains(words, w => w.Form == "and/or" && w.Xpos == "cc");
        // Every word maps into the 12-tag coarse set, and the big classes are all used.
        Assert.All(words.Select(w => w.Upos).Distinct(), t => Assert.Contains(t, BrownTagMap.UniversalTags));
        Assert.Equal(12, words.Select(w => w.Upos).Distinct().Count());
    }

    [Theory]
    [InlineData("nn", "NOUN")]
    [InlineData("nn-tl", "NOUN")]
    [InlineData("nns-tl-hl", "NOUN")]
    [InlineData("vbd", "VERB")]
    [InlineData("bedz*", "VERB")]
    [InlineData("*", "ADV")]
    [InlineData("at", "DET")]
    [InlineData("ppss+md", "PRON")]
    [InlineData("fw-nn", "X")]
    [InlineData("``", ".")]
    [InlineData("---hl", ".")]
    [InlineData("cd", "NUM")]
    [InlineData("to", "PRT")]
    [InlineData("in", "ADP")]
    [InlineData("cc", "CONJ")]
    [InlineData("jjt", "ADJ")]
    [InlineData("pp$", "PRON")]
    public void BrownTagsMapToUniversal(string brown, string universal) =>
        Assert.Equal(universal, BrownTagMap.ToUniversal(brown));

    [Fact]
    public void MalformedBrownTokenNamesLine()
    {
        var e = Assert.Throws<CorpusFormatException>(() =>
            BrownReader.Read(new StringReader("\n\tThe/at dog/nn\n\n\tA cat/nn\n"), "cz01"));
        Assert.Equal(4, e.Line);
        Assert.Contains("'A'", e.Message);
    }

    [Fact]
    public void NeuroxPairIsReadAndMismatchNamesLine()
    {
        var dir = TestPaths.TempDir("neurox");
        string sents = Path.Combine(dir, "s.txt"), labels = Path.Combine(dir, "l.txt");
        File.WriteAllLines(sents, ["The cat sat", "Dogs bark"]);
        File.WriteAllLines(labels, ["DT NN VBD", "NNS VBP"]);
        var corpus = Corpus.Load(sents + ":" + labels);
        Assert.Equal(2, corpus.SentenceCount);
        Assert.Equal("VBP", corpus.Sentences.Last().Words[1].Xpos);

        File.WriteAllLines(labels, ["DT NN VBD", "NNS"]);
        var e = Assert.Throws<CorpusFormatException>(() => NeuroxReader.Read(sents, labels));
        Assert.Equal(2, e.Line);
        Assert.Contains("2 words", e.Message);
        Assert.Contains("1 labels", e.Message);
        Directory.Delete(dir, true);
    }
}
