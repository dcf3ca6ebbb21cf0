using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Against the sentencepiece library itself (Debian's python3-sentencepiece 0.1.97):
/// models trained here on UD EWT text with the library's defaults (nmt_nfkc rules compiled into
/// the model, extra spaces removed, no byte fallback: unknown pieces), and with user-defined
/// symbols; the library's ids for 300+ sentences and awkward strings must equal ours.</summary>
public class SentencePieceLibraryTests
{
    private const string Train = "shared:corpora/ud-english-ewt/en_ewt-ud-train.conllu";
    private const string Test = "shared:corpora/ud-english-ewt/en_ewt-ud-test.conllu";

    private const string Script = """
        import json, os, sys
        import sentencepiece as spm
        out, train, test = sys.argv[1], sys.argv[2], sys.argv[3]
        def texts(path, n):
            r = []
            for line in open(path, encoding='utf-8'):
                if line.startswith('# text = '):
                    r.append(line[len('# text = '):].rstrip('\n'))
                    if len(r) == n: break
            return r
        corpus = os.path.join(out, 'train.txt')
        with open(corpus, 'w', encoding='utf-8') as f:
            f.write('\n'.join(texts(train, 4000)) + '\n')
        configs = {
            'bpe-nfkc': dict(model_type='bpe'),
            'unigram-nfkc': dict(model_type='unigram'),
            'unigram-user': dict(model_type='unigram', user_defined_symbols=['<mask>', '@@'], byte_fallback=True,
                                 normalization_rule_name='identity', remove_extra_whitespaces=False),
            'bpe-user': dict(model_type='bpe', user_defined_symbols=['<mask>', '@@'], add_dummy_prefix=False),
        }
        extra = ['', ' ', '   spaced   out  ', 'Tabs\tand\nnewlines', 'ＦＵＬＬＷＩＤＴＨ ① ﬁ ²', 'Café naïve — “x”',
                 '日本語 🙂👍🏽', 'a<mask>b @@ c <mask>', 'zero\u200bwidth\u00a0nbsp', 'ǂǂǂ ʘ ᚠᚢ', '\u2581 meta \u2581\u2581']
        inputs = texts(test, 300) + extra
        result = {'texts': inputs}
        for name, cfg in configs.items():
            prefix = os.path.join(out, name)
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=800,
                                           character_coverage=0.9995, minloglevel=2, **cfg)
            sp = spm.SentencePieceProcessor(model_file=prefix + '.model')
            result[name] = [sp.encode(t) for t in inputs]
        print(json.dumps(result))
        """;

    private static string? Python()
    {
        // Debian's interpreter first: the one python3-sentencepiece installs into.
        foreach (var exe in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(exe, ["-c", "import sentencepiece"]) { RedirectStandardError = true })!;
                p.WaitForExit(60_000);
                if (p.ExitCode == 0) return exe;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    [AssetFact(Train, Test)]
    public void TrainedModelsEncodeLikeTheLibrary()
    {
        var python = Python();
        if (python is null)
        {
            Assert.False(SharedAssets.Required, "python3-sentencepiece (Debian) is required for this reference");
            return;
        }
        using var tmp = new TempDir();
        var scriptPath = tmp.Write("reference.py", Script);
        var psi = new ProcessStartInfo(python, [scriptPath, tmp.Path, TokenizerAssets.Resolve(Train), TokenizerAssets.Resolve(Test)])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(300_000), "sentencepiece reference timed out");
        Assert.True(p.ExitCode == 0, stderr.Result);
        using var doc = JsonDocument.Parse(stdout.Result);
        var texts = doc.RootElement.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.True(texts.Length > 300);
        foreach (var name in new[] { "bpe-nfkc", "unigram-nfkc", "unigram-user", "bpe-user" })
        {
            var tok = SentencePieceTokenizer.FromFile(tmp.File(name + ".model"));
            var expected = doc.RootElement.GetProperty(name).EnumerateArray().ToArray();
            for (int i = 0; i < texts.Length; i++)
            {
                var ids = tok.Encode(texts[i], addSpecialTokens: false);
                var want = TokenizerAssets.Ids(expected[i]);
                Assert.True(want.SequenceEqual(ids),
                    $"{name}: \"{texts[i]}\": library [{string.Join(",", want)}] = {string.Join(" ", tok.Tokens(want))}, ours [{string.Join(",", ids)}] = {string.Join(" ", tok.Tokens(ids))}");
            }
        }
    }
}
