using NeuronHost.Sdk;
using NeuronHost.Sdk.Testing;

namespace MyIntervention.Tests;

public sealed class ZeroAblationTests
{
    private static AnnotatedSentence Sentence(string text) =>
        new(text, text.Split(' ').Select(w => new AnnotatedWord(w)).ToArray());

    [Fact]
    public void Zeroing_a_word_neuron_makes_its_positions_uniform()
    {
        // A bigram model counted on "a b a b a b" and "a b a b": vocabulary <unk>, a, b (V = 3);
        // a→b seen 5 times, b→a 3 times; add-0.1 smoothing.
        var model = new BigramLanguageModel(["a b a b a b", "a b a b"], alpha: 0.1);
        const string hook = BigramLanguageModel.Hook;
        // A ranking that puts neuron "a" (id 1) first, then "b" (2), then <unk> (0).
        var ranking = new Ranking("by-hand", [
            new RankedNeuron(1, new NeuronRef(hook, 1), 3),
            new RankedNeuron(2, new NeuronRef(hook, 2), 2),
            new RankedNeuron(0, new NeuronRef(hook, 0), 1)]);
        var request = new InterventionRequest(model) { Rankings = [ranking], Sentences = [Sentence("a b a b")] };

        var report = new ZeroAblation { Ks = [1] }.Run(request, new TestPluginContext());

        // Held-out "a b a b": three predictions a→b, b→a, a→b (position 0 is never scored: no BOS).
        double pBgivenA = (5 + 0.1) / (5 + 0.3), pAgivenB = (3 + 0.1) / (3 + 0.3);
        double clean = -(2 * Math.Log(pBgivenA) + Math.Log(pAgivenB)) / 3;
        Assert.Equal(clean, report.Summary["clean_lm_nll"], 5);
        Assert.Equal(3, report.Summary["predicted_tokens"]);
        var rows = report.Tables.Single().Rows;
        // Top-1 zeroes "a": the two positions holding "a" get uniform logits, p = 1/3.
        var top = rows.Single(r => (string)r[1] == "top");
        Assert.Equal((2 * Math.Log(3) - Math.Log(pAgivenB)) / 3, (double)top[3], 5);
        // Bottom-1 zeroes <unk>, which the text never uses: nothing changes.
        var bottom = rows.Single(r => (string)r[1] == "bottom");
        Assert.Equal(0, (double)bottom[4], 6);
    }

    [Fact]
    public void Prompt_accuracy_drops_when_the_deciding_neuron_is_zeroed()
    {
        var model = new BigramLanguageModel(["the cat sat", "the cat sat", "a dog ran"]);
        const string hook = BigramLanguageModel.Hook;
        int cat = model.Tokenizer!.TokenToId("cat")!.Value;
        var ranking = new Ranking("cat-first", [new RankedNeuron(cat, new NeuronRef(hook, cat), 1)]);
        var request = new InterventionRequest(model)
        {
            Rankings = [ranking],
            Sentences = [Sentence("the cat sat")],
            // The gold answer is the second choice, so a tie (every word equally likely) picks the wrong one.
            Prompts = [new ChoicePrompt("the cat", ["ran", "sat"], Answer: 1)],
        };
        var report = new ZeroAblation { Ks = [1] }.Run(request, new TestPluginContext());
        Assert.Equal(1.0, report.Summary["clean_prompt_accuracy"]);
        var top = report.Tables.Single().Rows.Single(r => (string)r[1] == "top");
        Assert.Equal(0.0, (double)top[5]);
        Assert.True((double)top[4] > 0, "zeroing the neuron of the prompt's last word must raise the loss");
    }
}
