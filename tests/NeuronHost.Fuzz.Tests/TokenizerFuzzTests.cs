using System.Text;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>Tokenizer files of the shared models (GPT-2 BPE vocab.json + merges.txt, BERT
/// vocab.txt + tokenizer_config.json) and USE-Lite's vocab.json list, forged and damaged.</summary>
public sealed class TokenizerFuzzTests
{
    private static string Gpt2 => SharedAssets.Model("gpt2-mini-brown");
    private static string Bert => SharedAssets.Model("tiny-bert");
    private static string UseLiteVocab => Path.Combine(UseLiteCopy.Package, "vocab.json");

    /// <summary>Copies only the tokenizer files of a model folder.</summary>
    private static string Copy(Scratch scratch, string model)
    {
        string dir = Path.Combine(scratch.Dir, "tok");
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "vocab.json", "merges.txt", "vocab.txt", "tokenizer_config.json" })
            if (File.Exists(Path.Combine(model, name))) File.WriteAllBytes(Path.Combine(dir, name), File.ReadAllBytes(Path.Combine(model, name)));
        return dir;
    }

    /// <summary>(model, file, how the file is rewritten, words the error must contain).</summary>
    private static readonly Dictionary<string, (string Model, string File, Func<byte[], byte[]> Forge, string Mentioning)> Forgeries = new()
    {
        ["vocab id 2^31-1"] = ("gpt2", "vocab.json", b => Replace(b, "\"the\":", "\"the\": 2147483647, \"the-old\":"), "2147483647"),
        ["vocab id -1"] = ("gpt2", "vocab.json", b => Replace(b, "\"the\":", "\"the\": -1, \"the-old\":"), "-1"),
        ["vocab id 1.5"] = ("gpt2", "vocab.json", b => Replace(b, "\"the\":", "\"the\": 1.5, \"the-old\":"), "1.5"),
        ["vocab id a string"] = ("gpt2", "vocab.json", b => Replace(b, "\"the\":", "\"the\": \"7\", \"the-old\":"), "the"),
        ["vocab is a list"] = ("gpt2", "vocab.json", _ => "[\"a\", \"b\"]"u8.ToArray(), "vocab.json"),
        ["vocab invalid UTF-8"] = ("gpt2", "vocab.json", b => { var c = (byte[])b.Clone(); c[b.AsSpan().IndexOf("\"the\""u8) + 1] = 0xFF; return c; }, "UTF-8"),
        ["vocab deeply nested"] = ("gpt2", "vocab.json", _ => Encoding.UTF8.GetBytes(new string('[', 100_000)), "vocab.json"),
        ["vocab 10 MB token with escapes"] = ("gpt2", "vocab.json", _ => Encoding.UTF8.GetBytes("{\"" + "\\u001b]0;pwned\\u0007" + new string('x', 10_000_000) + "\": -5}"), "-5"),
        ["vocab empty file"] = ("gpt2", "vocab.json", _ => [], "vocab.json"),
        ["merges invalid UTF-8"] = ("gpt2", "merges.txt", b => [.. b, 0xC3, 0x28, (byte)'\n'], "UTF-8"),
        ["merges one part"] = ("gpt2", "merges.txt", b => [.. b, .. "lonely\n"u8], "merges.txt"),
        ["vocab.txt invalid UTF-8"] = ("bert", "vocab.txt", b => [.. b[..20], 0xFF, 0xFE, .. b[20..]], "UTF-8"),
        ["vocab.txt NUL"] = ("bert", "vocab.txt", b => [.. b[..20], 0, .. b[20..]], "NUL"),
        ["vocab.txt empty"] = ("bert", "vocab.txt", _ => [], "empty"),
        ["tokenizer_config not JSON"] = ("bert", "tokenizer_config.json", _ => "{do_lower_case: yes"u8.ToArray(), "tokenizer_config.json"),
        ["tokenizer_config lower case a string"] = ("bert", "tokenizer_config.json", _ => "{\"do_lower_case\": \"yes\"}"u8.ToArray(), "do_lower_case"),
        ["use-lite vocab entry too short"] = ("use-lite", "vocab.json", b => Replace(b, "[\"<s>\",0]", "[\"<s>\"]"), "vocab.json"),
        ["use-lite vocab piece a number"] = ("use-lite", "vocab.json", b => Replace(b, "[\"<s>\",0]", "[7,0]"), "vocab.json"),
        ["use-lite vocab score a string"] = ("use-lite", "vocab.json", b => Replace(b, "[\"<s>\",0]", "[\"<s>\",\"high\"]"), "vocab.json"),
        ["use-lite vocab invalid UTF-8"] = ("use-lite", "vocab.json", b => Replace(b, "[\"<s>\",0]", "[\"<\u00ff>\",0]", latin1: true), "UTF-8"),
    };

    private static byte[] Replace(byte[] file, string what, string with, bool latin1 = false)
    {
        int at = file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(what));
        Assert.True(at >= 0, $"'{what}' not in the file");
        var replacement = latin1 ? Encoding.Latin1.GetBytes(with) : Encoding.UTF8.GetBytes(with);
        return [.. file[..at], .. replacement, .. file[(at + Encoding.UTF8.GetByteCount(what))..]];
    }

    public static TheoryData<string> Names() => new(Forgeries.Keys);

    [SharedTheory]
    [MemberData(nameof(Names))]
    public void Forged_tokenizer_file_is_refused_naming_file(string name)
    {
        var (model, fileName, forge, mentioning) = Forgeries[name];
        if (model == "use-lite" && !UseLiteCopy.Available && !SharedAssets.Required) return;
        using var scratch = new Scratch();
        string dir = model switch
        {
            "gpt2" => Copy(scratch, Gpt2),
            "bert" => Copy(scratch, Bert),
            _ => Copy(scratch, UseLiteCopy.Package),
        };
        string file = Path.Combine(dir, fileName);
        File.WriteAllBytes(file, forge(File.ReadAllBytes(file)));
        Outcome.MustFail(() => TokenizerLoader.TryLoad(dir), file, mentioning);
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 60)]
    public void Randomly_damaged_tokenizer_file_fails_cleanly_or_loads(int seed)
    {
        var rng = new Random(3000 + seed);
        using var scratch = new Scratch();
        var (dir, fileName) = (seed % 4) switch
        {
            0 => (Copy(scratch, Gpt2), "vocab.json"),
            1 => (Copy(scratch, Gpt2), "merges.txt"),
            2 => (Copy(scratch, Bert), "vocab.txt"),
            _ => UseLiteCopy.Available ? (Copy(scratch, UseLiteCopy.Package), "vocab.json") : (Copy(scratch, Bert), "tokenizer_config.json"),
        };
        string file = Path.Combine(dir, fileName);
        var bytes = File.ReadAllBytes(file);
        bytes = (seed / 4 % 3) switch
        {
            0 => Mutate.FlipBytes(bytes, rng, 0, bytes.Length, rng.Next(1, 4)),
            1 => Encoding.UTF8.GetBytes(Mutate.Text(Encoding.UTF8.GetString(bytes), rng)),
            _ => Mutate.Truncate(bytes, rng),
        };
        File.WriteAllBytes(file, bytes);
        Outcome.CleanErrorOrSuccess(() =>
        {
            var tokenizer = TokenizerLoader.TryLoad(dir);
            tokenizer?.Encode("The jury said that it was \u001b[2J done.");
        }, file);
    }
}
