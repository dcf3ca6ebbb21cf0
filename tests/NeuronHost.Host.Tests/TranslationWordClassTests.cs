using System.Globalization;
using System.Text.Json;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Host.Tests;

/// <summary>Translation run the way <c>run</c> and <c>reproduce</c> run it (in its own worker
/// process, over a Number store of gpt2-mini-brown on EWT) takes q(z) over the nouns it edits:
/// no "no word classes" warning, and q(Sing), q(Plur) and their row counts equal numpy's means
/// over the store's train rows whose UPOS is NOUN (read from tokens.tsv and the exported
/// activations). The worker used to drop the word classes and average every Number-bearing word.</summary>
public sealed class TranslationWordClassTests(ITestOutputHelper output)
{
    [SharedPythonFact("numpy")]
    public void Isolated_translation_takes_class_means_over_train_nouns_only()
    {
        string root = Path.Combine(Path.GetTempPath(), "nh-translation-upos-" + Guid.NewGuid().ToString("N")[..8]);
        string store = Path.Combine(root, "store"), export = Path.Combine(root, "export"), outDir = Path.Combine(root, "run");
        string ewt = SharedAssets.Corpus("ud-english-ewt");
        Directory.CreateDirectory(root);
        try
        {
            InProcessCli.Ok(InProcessCli.RunWithBuiltInPlugins("extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", ewt,
                "--max-sentences", "400", "--task", "Number", "--hooks", "blocks.1.mlp.hook_post", "--out", store, "--quiet"));
            string yaml = Path.Combine(root, "analysis.yaml");
            File.WriteAllText(yaml, $"""
                model: {SharedAssets.Model("gpt2-mini-brown")}
                corpus:
                  path: {ewt}
                  format: conllu
                  max-sentences: 400
                task:
                  name: Number
                  min-class-count: 20
                  control: false
                layers: [1]
                hook: mlp.hook_post
                store: {store}
                rankings:
                  - plugin: probeless
                interventions:
                  - plugin: translation
                    parameters:
                      ks: "5"
                      random-draws: "1"
                      max-items: "8"
                      min-class-count: "20"
                k-grid: [5]
                random-draws: 1
                top-contexts: 0
                output: {outDir}
                seed: 1
                """);
            var run = InProcessCli.RunWithBuiltInPlugins("run", yaml, "--quiet");
            output.WriteLine(run.Err);
            InProcessCli.Ok(run);
            Assert.DoesNotContain("carries no word classes", run.Err);
            InProcessCli.Ok(InProcessCli.RunWithBuiltInPlugins("export", store, "--out", export, "--quiet"));

            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
            var translation = results.RootElement.GetProperty("interventions").EnumerateArray()
                .Single(i => i.GetProperty("method").GetString() == "translation");
            var summary = translation.GetProperty("summary");
            var table = translation.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "translation_class_means");
            var columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
            var rows = table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToList();
            Assert.Equal(5, rows.Count);   // probeless's top-5 neurons
            string neurons = string.Join(",", rows.Select(r => r[columns.IndexOf("neuron")].GetInt32()));

            // numpy over the exported rows, classes read from tokens.tsv: train rows, UPOS NOUN, Number=Sing/Plur;
            // the all-word means are printed too, so the test shows the restriction matters on this data.
            string script = $$"""
                import json, numpy as np
                x = np.load("{{Path.Combine(export, "activations.npy")}}").astype(np.float64)
                rows = json.load(open("{{Path.Combine(export, "labels.json")}}"))["storeRows"]
                cols = [c["index"] for c in json.load(open("{{Path.Combine(export, "neurons.json")}}"))["columns"]]
                lines = open("{{Path.Combine(store, "tokens.tsv")}}", encoding="utf-8").read().split("\n")[1:]
                tok = [l.split("\t") for l in lines if l]
                pick = [cols.index(n) for n in [{{neurons}}]]
                out = {}
                for value in ["Sing", "Plur"]:
                    def has(t): return t[0] == "train" and ("Number=" + value) in t[8].split("|")
                    noun = [i for i, r in enumerate(rows) if has(tok[r]) and tok[r][6] == "NOUN"]
                    every = [i for i, r in enumerate(rows) if has(tok[r])]
                    out[value] = {"n": len(noun), "noun": x[noun][:, pick].mean(0).tolist(), "every": x[every][:, pick].mean(0).tolist(), "n_every": len(every)}
                print(json.dumps(out))
                """;
            using var reference = JsonDocument.Parse(PythonReference.RunOrThrow(script));
            foreach (var value in new[] { "Sing", "Plur" })
            {
                var r = reference.RootElement.GetProperty(value);
                Assert.Equal(r.GetProperty("n").GetInt32(), summary.GetProperty($"q_rows_{value}").GetDouble());
                Assert.True(r.GetProperty("n_every").GetInt32() > r.GetProperty("n").GetInt32(), $"{value}: every Number-bearing word is a noun here");
                var noun = r.GetProperty("noun").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                var every = r.GetProperty("every").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                var ours = rows.Select(row => row[columns.IndexOf($"q_{value}")].GetDouble()).ToArray();
                for (int i = 0; i < ours.Length; i++)
                    Assert.True(Math.Abs(ours[i] - noun[i]) <= 1e-5 * (1 + Math.Abs(noun[i])),
                        string.Create(CultureInfo.InvariantCulture, $"q({value}) of neuron {i}: ours {ours[i]}, numpy over nouns {noun[i]}, over every word {every[i]}"));
                // The restriction is visible in the means: at least one neuron's noun mean is far from its all-word mean.
                Assert.True(noun.Zip(every).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, $"q({value}): noun and all-word means coincide, the test could not tell them apart");
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
