using NeuronHost.Sdk;
using NeuronHost.Sdk.Interventions;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>The public intervention helpers of SDK 1.2 against closed forms: a model whose
/// p(yes) at the last position is 0.4 + Σ_n s_n·a_n (see <see cref="LinearFakeModel"/>).</summary>
public sealed class SdkHelperTests
{
    // Neuron activations 1 and 1 at every position; slopes 0.1 and −0.2: p(yes) = 0.3.
    private static LinearFakeModel Model() => new([0.1, -0.2], [1f, 1f]);

    [Fact]
    public void Answer_scores_are_the_log_probabilities_of_each_choice_and_follow_edits()
    {
        var model = Model();
        var prompts = new[] { "ab", "abc", "b" }
            .Select(text => PromptTargets.Resolve(model, new ChoicePrompt(text, ["yes", "no"], Answer: 0), "test")).ToArray();

        var clean = AnswerScores.Score(model, prompts, []);
        Assert.All(clean, s =>
        {
            Assert.Equal(Math.Log(0.3), s.ChoiceLogProbabilities[0], 6);
            Assert.Equal(Math.Log(0.7), s.ChoiceLogProbabilities[1], 6);
            Assert.Equal(1, s.Predicted);
            Assert.False(s.Correct);
        });
        Assert.Equal(0.0, AnswerScores.Accuracy(clean));

        // Setting neuron 1 to −2 gives p(yes) = 0.4 + 0.1 + 0.4 = 0.9.
        var edits = NeuronSelection.Edits([new RankedNeuron(1, new NeuronRef(LinearFakeModel.Hook, 1), 1)], EditOp.Set, _ => -2f);
        var edited = AnswerScores.Score(model, prompts, edits, batchSize: 2);
        Assert.All(edited, s => Assert.Equal(Math.Log(0.9), s.AnswerLogProbability, 5));
        Assert.Equal(1.0, AnswerScores.Accuracy(edited));
        Assert.Equal(6, model.Forwards); // 3 clean sequences, then 3 more in batches of 2
    }

    [Fact]
    public void Prompt_batches_cover_every_item_once_in_order()
    {
        Assert.Equal([new PromptBatch(0, 4), new PromptBatch(4, 4), new PromptBatch(8, 2)], PromptBatches.Of(10, 4));
        Assert.Empty(PromptBatches.Of(0, 4));
        Assert.Equal([[1, 2], [3]], PromptBatches.Of([1, 2, 3], 2));
        Assert.Throws<PluginInputException>(() => PromptBatches.Of(3, 0).ToList());
    }

    [Fact]
    public void Top_random_and_bottom_k_come_from_the_ranking()
    {
        var ranking = new Ranking("r", Enumerable.Range(0, 10).Select(i => new RankedNeuron(i, new NeuronRef("h", i), 10 - i)).ToArray());
        Assert.Equal([0, 1, 2], NeuronSelection.Pick(ranking, Selection.Top, 3, seed: 1).Select(n => n.Column));
        Assert.Equal([9, 8, 7], NeuronSelection.Pick(ranking, Selection.Bottom, 3, seed: 1).Select(n => n.Column));
        // The random k is the first k of the seeded Fisher–Yates permutation (the same on every machine).
        Assert.Equal(Permutations.Of(10, 7).Take(4), NeuronSelection.Pick(ranking, Selection.Random, 4, seed: 7).Select(n => n.Column));
        Assert.Throws<PluginInputException>(() => NeuronSelection.Pick(ranking, Selection.Top, 11, seed: 1));
    }
}
