using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuronHost.Core.Reports;

/// <summary>Plain words for the keys and columns intervention plugins report (so a reader sees
/// "change of the mean LM loss" rather than <c>probeless_top_k100_delta_lm_nll</c>). Unknown keys
/// are spelled out from their parts; the key itself stays visible beside the words.</summary>
public static partial class InterventionGlossary
{
    private static readonly Dictionary<string, string> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lm_nll"] = "mean negative log-likelihood of the held-out text (nats per token; higher = the model predicts the text worse)",
        ["embedding_cosine_distance"] = "mean cosine distance of each sentence's embedding from its unedited embedding (0 = unchanged, 1 = orthogonal)",
        ["probe_accuracy"] = "the probe's accuracy on held-out words with these neurons ablated in its input",
        ["probe_delta"] = "change of the probe's held-out accuracy when these neurons are ablated in its input (negative = the probe loses information)",
        ["flipped_top1_rate"] = "share of agreement items whose top-1 prediction becomes the other number's verb form (the intended effect)",
        ["preference_flip_rate"] = "share of items where the model now prefers the other verb form to the agreeing one",
        ["kept_top1_rate"] = "share of items whose top-1 prediction is unchanged",
        ["broken_rate"] = "share of items whose top-1 prediction is neither verb form",
        ["mean_logodds_shift"] = "mean change of log-odds(other verb form − agreeing form), in nats; positive = moved toward the translated number",
        ["items"] = "agreement items scored (subject noun followed by an agreeing is/are, was/were, has/have)",
        ["clean_agreement_accuracy"] = "share of items where the unedited model prefers the agreeing verb form (chance 0.5)",
        ["sentences"] = "held-out sentences scored",
        ["clean_probe_accuracy"] = "the probe's held-out accuracy with nothing ablated",
        ["prompts"] = "prompts used",
        ["train_prompts"] = "prompts the skill neurons were chosen on",
        ["test_prompts"] = "held-out prompts the skill neurons were scored on",
        ["skill_neuron_accuracy_train"] = "skill neurons' answer accuracy on the prompts they were chosen on",
        ["skill_neuron_accuracy_test"] = "skill neurons' answer accuracy on held-out prompts",
        ["model_accuracy_train"] = "the model's own answer accuracy on the training prompts",
        ["model_accuracy_test"] = "the model's own answer accuracy on the held-out prompts",
        ["majority_answer_rate"] = "accuracy of always giving the most frequent answer",
        ["uniform_chance_test"] = "accuracy of guessing uniformly among the choices",
        ["skill_neuron_test_p_above_chance"] = "one-sided binomial p-value of the skill neurons' held-out accuracy against uniform chance",
        ["model_test_p_above_chance"] = "one-sided binomial p-value of the model's held-out accuracy against uniform chance",
        ["skill_minus_model_test_p"] = "p-value of the difference between skill-neuron and model accuracy on the held-out prompts",
        ["top_k"] = "number of skill neurons",
        ["neurons"] = "neurons scored",
        ["neurons_measured"] = "neurons whose empirical gradient was measured",
        ["mean_abs_neurgrad"] = "mean |NeurGrad| (∂p(target)/∂a · sign a) over neurons",
        ["median_linearity_r"] = "median linearity |r| of Δp against the neuron's shift (1 = perfectly linear)",
        ["pearson_neg_vs_neurgrad"] = "Pearson r between the measured NEG and NeurGrad over neurons (1 = the one-pass gradient predicts the measured slope)",
        ["mean_abs_neg"] = "mean |NEG|: change of p(target) per unit shift of one neuron",
        ["value"] = "the metric with the neurons ablated",
        ["delta"] = "change of the metric from the unedited model",
    };

    /// <summary>The words for a summary key or table column.</summary>
    public static string Describe(string key, string? metric = null)
    {
        if (Metrics.TryGetValue(key, out var words))
            return metric is not null && key is "value" or "delta" ? words.Replace("the metric", MetricName(metric)) : words;
        if (key.StartsWith("clean_", StringComparison.OrdinalIgnoreCase) && Metrics.TryGetValue(key[6..], out var clean))
            return $"unedited model: {clean}";
        var m = AblationKey().Match(key);
        if (m.Success)
            return $"change of {MetricName(m.Groups["metric"].Value)} when the {m.Groups["sel"].Value} {m.Groups["k"].Value} neurons of {m.Groups["ranking"].Value} are edited";
        m = BestFlipKey().Match(key);
        if (m.Success) return $"best preference-flip rate of {m.Groups["ranking"].Value}'s top-k over the k grid";
        m = LinearityBin().Match(key);
        if (m.Success) return $"neurons (count) with linearity |r| in [{m.Groups["lo"].Value}, {m.Groups["hi"].Value})";
        return key.Replace('_', ' ');
    }

    /// <summary>A metric's short name in words ("mean LM loss (nats/token)").</summary>
    public static string MetricName(string metric) => metric.ToLowerInvariant() switch
    {
        "lm_nll" => "the mean LM loss (nats/token)",
        "embedding_cosine_distance" => "the sentence embedding (cosine distance from unedited)",
        "mean_logodds_shift" => "the log-odds of the other verb form (nats)",
        "preference_flip_rate" => "the preference-flip rate",
        "flipped_top1_rate" => "the top-1 flip rate",
        "probe_delta" or "probe_accuracy" => "the probe's accuracy",
        _ => metric.Replace('_', ' '),
    };

    /// <summary>What the plugin did to the neurons, as the verb of a sentence.</summary>
    public static string Verb(string method) => method.ToLowerInvariant() switch
    {
        "ablation" => "Ablating (setting to zero or their mean)",
        "translation" => "Translating toward the other attribute value",
        _ => $"Editing ({method})",
    };

    public static string Number(double v, string format = "0.0000") =>
        double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    [GeneratedRegex(@"^(?<ranking>.+)_(?<sel>top|random|bottom)_k(?<k>\d+)_delta_(?<metric>.+)$")]
    private static partial Regex AblationKey();

    [GeneratedRegex(@"^(?<ranking>.+)_top_best_preference_flip_rate$")]
    private static partial Regex BestFlipKey();

    [GeneratedRegex(@"^linearity_r_bin_(?<lo>[0-9.]+)_(?<hi>[0-9.]+)$")]
    private static partial Regex LinearityBin();
}
