using NeuronHost.Data.Corpora;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

public class TaskBuilderTests
{
    private static readonly Lazy<Corpus> Ewt = new(() => Corpus.Load(TestPaths.EwtDir));

    // Reference counts from awk over the EWT files (lines with an integer id whose FEATS has
    // Number=…): train 77,413 (Sing 60,824, Plur 16,383, Ptan 206), dev 9,629 (28 Ptan).
    [SharedFact]
    public void NumberTaskKeepsOnlyWordsWithTheFeatureAndDropsRareValues()
    {
        var task = TaskBuilder.Build(Ewt.Value, TaskSpec.Parse("Number"), new TaskOptions { MinCount = 100 });
        Assert.Equal("number", task.Name);
        Assert.Equal(["Plur", "Ptan", "Sing"], task.ClassNames);
        Assert.Equal(77413, task.Train.Count);
        Assert.Equal(9629, task.Split("dev")!.Count);
        Assert.Equal(60824, task.Train.Labels.Count(l => l == 2));

        var strict = TaskBuilder.Build(Ewt.Value, TaskSpec.Feature("Number"), new TaskOptions { MinCount = 300 });
        Assert.Equal(["Plur", "Sing"], strict.ClassNames);
        Assert.Equal(["Ptan"], strict.DroppedClasses);
        Assert.Equal(77413 - 206, strict.Train.Count);
        Assert.Equal(9629 - 28, strict.Split("dev")!.Count);
    }

    // awk: train UPOS counts, smallest are X 400, INTJ 695, SYM 722.
    [SharedFact]
    public void UposTaskUsesStandardSplitsAndTheRowsOfTheTokenTable()
    {
        var table = TokenTable.FromCorpus(Ewt.Value);
        var task = TaskBuilder.Build(table, TaskSpec.Upos, new TaskOptions { MinCount = 500 });
        Assert.Equal(16, task.ClassNames.Count); // only X (400 train tokens) is under 500
        Assert.Equal(["X"], task.DroppedClasses);
        Assert.Equal(["train", "dev", "test"], task.Splits.Select(s => s.Name).ToArray());
        Assert.Equal(204577 - 400, task.Train.Count);
        var dev = task.Split("dev")!;
        for (int i = 0; i < dev.Count; i += 997)
        {
            var word = table.Words[dev.Rows[i]];
            Assert.Equal(word.Upos, task.ClassNames[dev.Labels[i]]);
            Assert.Equal("dev", table.SentenceSplit[table.RowSentence[dev.Rows[i]]]);
        }
    }

    private static Corpus Synthetic(int sentences, int seed)
    {
        var rng = new Random(seed);
        string[] tags = ["A", "A", "A", "A", "B", "B", "C"];
        var list = new List<CorpusSentence>();
        for (int s = 0; s < sentences; s++)
        {
            var words = Enumerable.Range(0, 8).Select(_ =>
            {
                int w = rng.Next(400);
                return new AnnotatedWord((w % 3 == 0 ? "W" : "w") + w, Upos: tags[w % tags.Length]);
            }).ToArray();
            list.Add(CorpusSentence.FromWords($"s{s}", words));
        }
        return new Corpus("synthetic", "test", [], [new CorpusSplit("all", list)]);
    }

    [Fact]
    public void ControlTaskIsFixedPerWordTypeAndFollowsTheLabelDistribution()
    {
        var corpus = Synthetic(2000, 5);
        var task = TaskBuilder.Build(corpus, TaskSpec.Upos, new TaskOptions { MinCount = 1, Control = true, Seed = 3 });
        var byType = new Dictionary<string, int>();
        foreach (var split in task.Splits)
            for (int i = 0; i < split.Count; i++)
            {
                string type = split.Words[i].ToLowerInvariant();
                if (byType.TryGetValue(type, out int label)) Assert.Equal(label, split.ControlLabels![i]);
                else byType[type] = split.ControlLabels![i];
            }
        Assert.Equal(400, byType.Count);
        // Each type's label is a draw from the task's distribution (A 4/7, B 2/7, C 1/7 by type;
        // by token frequency on train here): compare the type-level histogram with the train one.
        var train = task.Train;
        double[] taskDist = Enumerable.Range(0, 3).Select(c => train.Labels.Count(l => l == c) / (double)train.Count).ToArray();
        double[] controlDist = Enumerable.Range(0, 3).Select(c => byType.Values.Count(l => l == c) / (double)byType.Count).ToArray();
        for (int c = 0; c < 3; c++) Assert.InRange(controlDist[c] - taskDist[c], -0.07, 0.07);
        // Same seed → same labels; another seed → different ones.
        var again = TaskBuilder.Build(corpus, TaskSpec.Upos, new TaskOptions { MinCount = 1, Control = true, Seed = 3 });
        Assert.Equal(task.Train.ControlLabels, again.Train.ControlLabels);
        var other = TaskBuilder.Build(corpus, TaskSpec.Upos, new TaskOptions { MinCount = 1, Control = true, Seed = 4 });
        Assert.NotEqual(task.Train.ControlLabels, other.Train.ControlLabels);
    }

    [Fact]
    public void RandomSplitsAndBalancingAreSeeded()
    {
        var corpus = Synthetic(1000, 9);
        var options = new TaskOptions { MinCount = 1, Seed = 11, Balance = Balancing.Train };
        var task = TaskBuilder.Build(corpus, TaskSpec.Upos, options);
        Assert.Equal(["train", "dev", "test"], task.Splits.Select(s => s.Name).ToArray());
        var counts = Enumerable.Range(0, 3).Select(c => task.Train.Labels.Count(l => l == c)).ToArray();
        Assert.True(counts.All(c => c == counts[0] && c > 0), string.Join(",", counts));
        int devTokens = task.Split("dev")!.Count;
        Assert.InRange(devTokens, 8 * 100 - 1, 8 * 100 + 1); // dev = 10% of 1000 sentences × 8 words, unbalanced
        Assert.True(task.Train.Rows.Zip(task.Train.Rows.Skip(1)).All(p => p.First < p.Second));
        var again = TaskBuilder.Build(corpus, TaskSpec.Upos, options);
        Assert.Equal(task.Train.Rows, again.Train.Rows);
        var other = TaskBuilder.Build(corpus, TaskSpec.Upos, options with { Seed = 12 });
        Assert.NotEqual(task.Train.Rows, other.Train.Rows);
    }

    [Theory]
    [InlineData("upos", TaskKind.Upos, "upos")]
    [InlineData("label", TaskKind.Xpos, "xpos")]
    [InlineData("tense", TaskKind.Feature, "tense")]
    [InlineData("feat:VerbForm", TaskKind.Feature, "verbform")]
    public void TaskNamesParse(string text, TaskKind kind, string name)
    {
        var spec = TaskSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(name, spec.Name);
    }
}
