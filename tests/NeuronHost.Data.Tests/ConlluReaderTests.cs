using NeuronHost.Data.Corpora;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

public class ConlluReaderTests
{
    // Counted independently with grep/awk on the files (UD English-EWT v2.15):
    //   sentences = grep -c '^# sent_id', words = lines whose first column is an integer.
    [SharedTheory]
    [InlineData("train", 12544, 204577, 2614)]
    [InlineData("dev", 2001, 25147, 359)]
    [InlineData("test", 2077, 25094, 354)]
    public void EwtCountsMatchTheFiles(string split, int sentences, int words, int multiwordTokens)
    {
        var read = ConlluReader.ReadFile(TestPaths.Ewt(split));
        Assert.Equal(sentences, read.Count);
        Assert.Equal(words, read.Sum(s => s.Words.Count));
        Assert.Equal(multiwordTokens, read.Sum(s => s.SurfaceTokens.Count(t => t.IsMultiword)));
        Assert.All(read, s => Assert.False(string.IsNullOrEmpty(s.Text)));
        // The 17 UPOS tags of Universal Dependencies, all present in every split.
        string[] upos = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"];
        Assert.Equal(upos, read.SelectMany(s => s.Words).Select(w => w.Upos).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [SharedFact]
    public void EwtDirectoryIsReadAsThreeSplitsInOrder()
    {
        var corpus = Corpus.Load(TestPaths.EwtDir);
        Assert.Equal(["train", "dev", "test"], corpus.Splits.Select(s => s.Name).ToArray());
        Assert.Equal(12544 + 2001 + 2077, corpus.SentenceCount);
        Assert.Equal(204577 + 25147 + 25094, corpus.WordCount);
        Assert.StartsWith("sha256:", corpus.ComputeHash());
    }

    [SharedFact]
    public void MultiwordTokenSentenceKeepsSurfaceForms()
    {
        var read = ConlluReader.ReadFile(TestPaths.Ewt("dev"));
        var s = read.Single(x => x.Id == "weblog-blogspot.com_gettingpolitical_20030906235000_ENG_20030906_235000-0003");
        Assert.Equal("Today's incident proves that Sharon has lost his patience and his hope in peace.", s.Text);
        Assert.Equal("Today", s.Words[0].Form);
        Assert.Equal("'s", s.Words[1].Form);
        Assert.Equal("PART", s.Words[1].Upos);
        Assert.Equal(new SurfaceToken("Today's", 0, 1), s.SurfaceTokens[0]);
        Assert.Equal(new SurfaceToken("incident", 2, 2), s.SurfaceTokens[1]);
        Assert.Equal(s.Words.Count - 1, s.SurfaceTokens.Count);
        Assert.Equal([0, 0, 1, 2], s.WordToSurface()[..4]);
        Assert.Equal("Sing", s.Words[2].Feature("Number"));
        Assert.Equal(4, s.Words[2].Head);
        Assert.Equal("nsubj", s.Words[2].DepRel);
    }

    [SharedFact]
    public void EmptyNodesAreSkipped()
    {
        var read = ConlluReader.ReadFile(TestPaths.Ewt("dev"));
        // dev has 4 empty nodes (awk: ids like 8.1); none may appear as words and ids stay sequential.
        Assert.DoesNotContain(read.SelectMany(s => s.Words), w => w.Form == "write" && w.Head == -1 && w.DepRel == "");
    }

    private static string Line(params string[] cols) => string.Join('\t', cols);

    private static IReadOnlyList<CorpusSentence> Parse(string text) =>
        ConlluReader.Read(new StringReader(text), "bad.conllu");

    [Fact]
    public void WrongColumnCountNamesFileAndLine()
    {
        string text = "# sent_id = a\n" + Line("1", "Hi", "hi", "INTJ", "UH", "_", "0", "root", "_", "_") + "\n"
            + Line("2", "there", "there", "ADV", "RB", "_", "1") + "\n\n";
        var e = Assert.Throws<CorpusFormatException>(() => Parse(text));
        Assert.Equal(3, e.Line);
        Assert.StartsWith("bad.conllu:3:", e.Message);
        Assert.Contains("10", e.Message);
    }

    [Theory]
    [InlineData("2-1", "bad multiword token range")]
    [InlineData("1-x", "bad multiword token range")]
    [InlineData("3-4", "should start at word")]
    [InlineData("x", "bad word id")]
    public void BadIdNamesFileAndLine(string id, string expected)
    {
        string text = Line("1", "a", "a", "DET", "DT", "_", "0", "root", "_", "_") + "\n"
            + Line(id, "b", "_", "_", "_", "_", "_", "_", "_", "_") + "\n"
            + Line("2", "c", "c", "NOUN", "NN", "_", "1", "dep", "_", "_") + "\n";
        var e = Assert.Throws<CorpusFormatException>(() => Parse(text));
        Assert.Equal(2, e.Line);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("bad.conllu:2:", e.Message);
    }

    [Fact]
    public void NonNumericHeadAndBadFeatsAreErrors()
    {
        var e = Assert.Throws<CorpusFormatException>(() => Parse(Line("1", "a", "a", "DET", "DT", "_", "root", "root", "_", "_") + "\n"));
        Assert.Equal(1, e.Line);
        Assert.Contains("HEAD", e.Message);
        e = Assert.Throws<CorpusFormatException>(() => Parse("\n" + Line("1", "a", "a", "DET", "DT", "Number", "0", "root", "_", "_") + "\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("Name=Value", e.Message);
    }

    [Fact]
    public void RangePastTheLastWordIsAnError()
    {
        string text = Line("1-2", "don't", "_", "_", "_", "_", "_", "_", "_", "_") + "\n"
            + Line("1", "do", "do", "AUX", "VBP", "_", "0", "root", "_", "_") + "\n\n";
        var e = Assert.Throws<CorpusFormatException>(() => Parse(text));
        Assert.Equal(1, e.Line);
    }
}
