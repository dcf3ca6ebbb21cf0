using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Broken tokenizer files give one message naming the file (and line for text formats).</summary>
public class MalformedFileTests
{
    private const string MinimalVocab = """{"a": 0, "b": 1, "ab": 2, "Ġ": 3}""";

    [Fact]
    public void MergesLineWithoutTwoSymbolsNamesFileAndLine()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.json", MinimalVocab);
        tmp.Write("merges.txt", "#version: 0.2\na b\nabc\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.StartsWith(tmp.File("merges.txt") + ":3:", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void VocabJsonThatIsNotJsonNamesFileAndLine()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.json", "{\"a\": 0,\n\"b\": oops}");
        tmp.Write("merges.txt", "#version: 0.2\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("vocab.json:2:", e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void VocabJsonWithNonIntegerIdNamesTheToken()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.json", """{"a": 0, "b": "one"}""");
        tmp.Write("merges.txt", "#version: 0.2\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("vocab.json", e.Message);
        Assert.Contains("\"b\"", e.Message);
    }

    [Fact]
    public void VocabJsonWithoutMergesIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.json", MinimalVocab);
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("vocab.json", e.Message);
        Assert.Contains("merges.txt", e.Message);
    }

    [Fact]
    public void BinaryVocabTxtNamesFileAndLine()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.txt", "[PAD]\n[UNK]\nab\0cd\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.StartsWith(tmp.File("vocab.txt") + ":3:", e.Message);
    }

    [Fact]
    public void VocabTxtWithoutUnknownTokenIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.txt", "[PAD]\nthe\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("vocab.txt", e.Message);
        Assert.Contains("[UNK]", e.Message);
    }

    [Fact]
    public void TokenizerConfigThatIsNotJsonIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.txt", "[PAD]\n[UNK]\nthe\n");
        tmp.Write("tokenizer_config.json", "{\"do_lower_case\": maybe}");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("tokenizer_config.json:1:", e.Message);
    }

    [AssetFact("shared:reference/sentencepiece/bpe.model")]
    public void TruncatedSentencePieceModelIsNamed()
    {
        var bytes = File.ReadAllBytes(TokenizerAssets.Resolve("shared:reference/sentencepiece/bpe.model"));
        using var tmp = new TempDir();
        tmp.Write("tokenizer.model", bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.StartsWith(tmp.File("tokenizer.model") + ":", e.Message);
        Assert.Contains("not a SentencePiece model", e.Message);
    }

    [Fact]
    public void TextFileAsSentencePieceModelIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("tokenizer.model", "this is not a protobuf\n");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("tokenizer.model", e.Message);
    }

    [Fact]
    public void TokenizerJsonWithoutModelOrWithUnknownTypeIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("tokenizer.json", """{"version": "1.0"}""");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("tokenizer.json", e.Message);
        tmp.Write("tokenizer.json", """{"model": {"type": "WordLevel", "vocab": {}}}""");
        e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("WordLevel", e.Message);
        tmp.Write("tokenizer.json", """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}, "pre_tokenizer": {"type": "ByteLevel"}}""");
        e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("merges[0]", e.Message);
    }

    [Fact]
    public void UseVocabularyWithABadEntryIsNamed()
    {
        using var tmp = new TempDir();
        tmp.Write("vocab.json", """[["<unk>",0],["<s>",0],["</s>",0],["x",0],["y",0],["z",0],["▁a",-1.5],["b"]]""");
        var e = Assert.Throws<TokenizerFileException>(() => TokenizerLoader.TryLoad(tmp.Path));
        Assert.Contains("vocab.json", e.Message);
        Assert.Contains("entry 7", e.Message);
    }

    [Fact]
    public void FolderWithoutTokenizerFilesGivesNull()
    {
        using var tmp = new TempDir();
        tmp.Write("config.json", "{}");
        Assert.Null(TokenizerLoader.TryLoad(tmp.Path));
        Assert.Null(TokenizerLoader.TryLoad(tmp.File("missing")));
    }
}
