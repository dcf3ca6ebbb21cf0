using NeuronHost.Sdk;
using NeuronHost.Sdk.Interventions;

namespace MyIntervention;

/// <summary>An example intervention plugin: zero the top, a random and the bottom k neurons of
/// each ranking inside the running model, and measure the language-model loss on held-out
/// sentences (and, when the analysis has prompts, how often the model picks the right answer).
/// If the ranking found neurons the model uses, zeroing its top k hurts more than a random k.
/// Rename the class and the plugin name, and write your own Run.</summary>
public sealed class ZeroAblation : IIntervention
{
    public PluginInfo Info { get; } = new("myintervention-zero", PluginKind.Intervention,
        "Zero the top/random/bottom-k neurons of each ranking; held-out LM loss and prompt accuracy vs k",
        new Version(1, 0, 0));

    [PluginParameter("numbers of neurons to zero")]
    public int[] Ks { get; set; } = [1, 10, 100];

    [PluginParameter("held-out sentences scored per setting")]
    public int MaxSentences { get; set; } = 100;

    [PluginParameter("seed of the random-k baseline")]
    public int Seed { get; set; } = 1;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        var model = request.Model;
        if (request.Rankings.Count == 0) throw new PluginInputException("no ranking to take neurons from");
        if (request.Sentences.Count == 0) throw new PluginInputException("no held-out sentences to score");
        foreach (var ranking in request.Rankings) NeuronSelection.CheckAgainstModel(ranking, model.Info, Info.Name);

        // Mean NLL per predicted token; see LanguageModelLoss for which tokens are scored (the BOS rule).
        var loss = new LanguageModelLoss(model, request.Sentences.Select(s => s.Text), MaxSentences, Info.Name);
        var prompts = request.Prompts.Select(p => PromptTargets.Resolve(model, p, Info.Name)).ToArray();
        double PromptAccuracy(IReadOnlyList<HookEdit> edits) => prompts.Length == 0
            ? double.NaN : AnswerScores.Accuracy(AnswerScores.Score(model, prompts, edits, context.Cancellation));

        double cleanNll = loss.MeanNll([], context.Cancellation);
        double cleanAccuracy = PromptAccuracy([]);
        var rows = new List<IReadOnlyList<object>>();
        var ks = Ks.Where(k => k > 0).Distinct().Order().ToArray();
        int total = request.Rankings.Count * 3 * ks.Length, done = 0;
        foreach (var ranking in request.Rankings)
            foreach (var selection in new[] { Selection.Top, Selection.Random, Selection.Bottom })
                foreach (int k in ks.Where(k => k <= ranking.Order.Count))
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    var neurons = NeuronSelection.Pick(ranking, selection, k, Seed);
                    var edits = NeuronSelection.Edits(neurons, EditOp.Zero, value: null);
                    double nll = loss.MeanNll(edits, context.Cancellation);
                    double accuracy = PromptAccuracy(edits);
                    // A numeric "k" column makes the report draw one curve per other numeric
                    // column, one line per ranking × selection.
                    rows.Add([ranking.Method, selection.ToString().ToLowerInvariant(), k, nll, nll - cleanNll,
                        double.IsNaN(accuracy) ? "" : accuracy]);
                    context.Progress.Report(new ProgressReport("zero ablation", ++done, total, "settings"));
                }

        // Headline numbers come with their baseline: the clean model's loss and accuracy.
        var summary = new Dictionary<string, double>
        {
            ["clean_lm_nll"] = cleanNll,
            ["sentences"] = loss.Sentences,
            ["predicted_tokens"] = loss.PredictedTokens,
        };
        if (!double.IsNaN(cleanAccuracy)) summary["clean_prompt_accuracy"] = cleanAccuracy;
        var table = new ResultTable("zero_ablation", ["ranking", "selection", "k", "lm_nll", "nll_increase", "prompt_accuracy"], rows);
        return new InterventionReport(Info.Name, summary, [table]);
    }
}
