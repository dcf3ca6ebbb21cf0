using NeuronHost.Plugins.Interventions.Translation;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>Translation on gpt2-mini-brown over every agreement item of EWT's test split, with
/// class means from nouns only.</summary>
public sealed class TranslationHeldOutTests(RealModelFixture fx, ITestOutputHelper output) : IClassFixture<RealModelFixture>
{
    [SharedFact]
    public void Every_held_out_item_is_scored_and_class_means_come_from_nouns_only()
    {
        var hooks = new[] { HookPoints.MlpPost(1) };
        var train = fx.Ewt.Split("train")!.Sentences.Take(400).Select(s => s.Annotated).ToArray();
        var data = fx.TaskData("Number", hooks, train, []);
        var ctx = fx.Context();
        var ranking = new ProbelessRanking().Rank(new RankingRequest(data), ctx);
        var test = fx.Ewt.Split("test")!.Sentences.Select(s => s.Annotated).ToArray();

        // The same words' activations with every non-noun row removed: the reference for "q(z) over nouns".
        var classes = data.Train.WordClasses!;
        var nounRows = Enumerable.Range(0, classes.Count).Where(i => classes[i] == "NOUN").ToArray();
        Assert.InRange(nounRows.Length, 200, classes.Count - 200); // both kinds of row are present
        int columns = data.Train.Activations.Columns;
        var all = data.Train.Activations.ToArray();
        var nounValues = new float[nounRows.Length * columns];
        for (int r = 0; r < nounRows.Length; r++) Array.Copy(all, nounRows[r] * columns, nounValues, r * columns, columns);
        var labels = data.Train.Labels.ToArray();
        var nounsOnly = data with
        {
            Train = new DataSplit(new DenseActivationMatrix(nounValues, nounRows.Length, data.Neurons), nounRows.Select(r => labels[r]).ToArray()),
        };

        InterventionReport Run(ProbingData d, string wordClass) => new TranslationIntervention { Ks = [30], Alpha = 1.0, WordClass = wordClass }
            .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = d, Sentences = test }, ctx);
        var nouns = Run(data, "NOUN");
        var reference = Run(nounsOnly, "");
        var pooled = Run(data, "");

        // Every item of the 2,077 test sentences, not a capped number: the same count as an explicit huge cap.
        int items = (int)nouns.Summary["items"];
        var capped = new TranslationIntervention { Ks = [1], MaxItems = 1_000_000 }
            .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = data, Sentences = test }, ctx);
        Assert.Equal(capped.Summary["items"], items);
        Assert.True(items > 60, $"{items} items");
        foreach (var row in nouns.Tables[0].Rows) output.WriteLine(string.Join(", ", row.Select(v => v is double x ? x.ToString("G4") : v.ToString())));
        output.WriteLine($"items {items}, q rows Sing {nouns.Summary["q_rows_Sing"]}, Plur {nouns.Summary["q_rows_Plur"]}; clean agreement {nouns.Summary["clean_agreement_accuracy"]:F3}");
        int sing = data.ClassNames.ToList().IndexOf("Sing"), plur = data.ClassNames.ToList().IndexOf("Plur");
        Assert.Equal(nounRows.Count(r => labels[r] == sing), (int)nouns.Summary["q_rows_Sing"]);
        Assert.Equal(nounRows.Count(r => labels[r] == plur), (int)nouns.Summary["q_rows_Plur"]);
        int shift = nouns.Tables[0].Columns.ToList().IndexOf("mean_logodds_shift");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((double)reference.Tables[0].Rows[i][shift], (double)nouns.Tables[0].Rows[i][shift], 9);
            var row = nouns.Tables[0].Rows[i];
            var cols = nouns.Tables[0].Columns.ToList();
            double Col(string c) => (double)row[cols.IndexOf(c)];
            Assert.InRange(Col("flipped_top1_rate"), Col("flipped_top1_low95"), Col("flipped_top1_high95"));
            Assert.True(Col("flipped_top1_high95") > 0, "a rate of 0 on n items still has an upper bound above 0");
            Assert.InRange(Col("mean_logodds_shift"), Col("logodds_shift_low95"), Col("logodds_shift_high95"));
            // The random row is the mean of the seeded draws: its interval is the draws' spread and it
            // has no paired p-value of its own (the comparisons table tests top against the draws).
            if ((string)row[cols.IndexOf("selection")] != "random") Assert.InRange(Col("logodds_shift_p"), 0.0, 1.0);
            else Assert.True(Convert.ToInt32(row[cols.IndexOf("draws")]) >= 10, "the random row summarises at least 10 draws");
        }
        // Pooled means (every Number-bearing word) move the neurons differently: the test can tell.
        Assert.NotEqual((double)pooled.Tables[0].Rows[0][shift], (double)nouns.Tables[0].Rows[0][shift], 6);

        var tooFew = Assert.Throws<PluginInputException>(() => new TranslationIntervention { Ks = [30], MinClassCount = 1_000_000 }
            .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = data, Sentences = test.Take(50).ToArray() }, ctx));
        Assert.Contains("NOUN", tooFew.Message);
    }
}
