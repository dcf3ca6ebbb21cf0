namespace NeuronHost.Core.Reports;

/// <summary>One CSV per table of the results: file name → content. Empty tables are skipped.</summary>
public static class ResultsCsv
{
    public static Dictionary<string, string> Tables(RunResults r)
    {
        var files = new Dictionary<string, string>();
        if (r.Rankings.Count > 0)
            files["rankings.csv"] = CsvWriter.Write(["ranking", "plugin", "rank", "hook_point", "index", "layer", "score", "column"],
                r.Rankings.SelectMany(k => k.Neurons.Select(n =>
                    new object?[] { k.Name, k.Plugin, n.Rank, n.HookPoint, n.Index, n.Layer, n.Score, n.Column })));
        if (r.Accuracy.Count > 0)
            files["accuracy.csv"] = CsvWriter.Write(
                ["ranking", "probe", "selection", "k", "train_accuracy", "dev_accuracy", "test_accuracy", "control_accuracy", "selectivity"],
                r.Accuracy.Select(a => new object?[] { a.Ranking, a.Probe, a.Selection, a.K, a.TrainAccuracy, a.DevAccuracy, a.TestAccuracy, a.ControlAccuracy, a.Selectivity }));
        if (r.Oracle.Count > 0)
            files["oracle.csv"] = CsvWriter.Write(["probe", "neurons", "test_accuracy", "control_accuracy", "selectivity", "majority_baseline"],
                r.Oracle.Select(o => new object?[] { o.Probe, o.Neurons, o.TestAccuracy, o.ControlAccuracy, o.Selectivity, o.MajorityBaseline }));
        if (r.MinimalSets.Count > 0)
        {
            files["minimal_sets.csv"] = CsvWriter.Write(["ranking", "probe", "k", "accuracy", "oracle_accuracy", "margin", "reached"],
                r.MinimalSets.Select(m => new object?[] { m.Ranking, m.Probe, m.K, m.Accuracy, m.OracleAccuracy, m.Margin, m.Reached }));
            files["minimal_set_layers.csv"] = CsvWriter.Write(["ranking", "probe", "layer", "count"],
                r.MinimalSets.SelectMany(m => m.Layers.Select(l => new object?[] { m.Ranking, m.Probe, l.Layer, l.Count })));
        }
        if (r.TopNeuronContexts.Count > 0)
            files["top_neuron_contexts.csv"] = CsvWriter.Write(["ranking", "rank", "hook_point", "index", "layer", "activation", "word", "left", "right", "label"],
                r.TopNeuronContexts.SelectMany(n => n.Examples.Select(e =>
                    new object?[] { n.Ranking, n.Rank, n.HookPoint, n.Index, n.Layer, e.Activation, e.Word, e.Left, e.Right, e.Label })));
        foreach (var iv in r.Interventions)
        {
            if (iv.Summary.Count > 0)
                files[$"intervention_{Slug(iv.Method)}_summary.csv"] = CsvWriter.Write(["metric", "value"],
                    iv.Summary.Select(kv => new object?[] { kv.Key, kv.Value }));
            foreach (var t in iv.Tables)
                files[$"intervention_{Slug(iv.Method)}_{Slug(t.Name)}.csv"] = CsvWriter.Write(t.Columns, t.Rows);
        }
        if (r.Timings.Count > 0)
            files["timings.csv"] = CsvWriter.Write(["stage", "seconds"], r.Timings.Select(t => new object?[] { t.Stage, t.Seconds }));
        return files;
    }

    /// <summary>A file-name-safe lower-case form of a name.</summary>
    public static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        var s = new string(chars).Trim('_');
        while (s.Contains("__")) s = s.Replace("__", "_");
        return s.Length == 0 ? "table" : s;
    }
}
