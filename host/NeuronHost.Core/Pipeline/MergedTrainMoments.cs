using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>The class moments of a task's train rows when they were computed elsewhere (a
/// cluster's silos, shard by shard, then merged), with the train rows and labels they were
/// computed for and the rankings (display names) that run from them instead of from the rows.</summary>
public sealed record MergedTrainMoments(ClassMoments Moments, long[] TrainRows, int[] TrainLabels, IReadOnlyList<string> Rankings, string Source);

/// <summary>Which parts of an analysis can run from class moments alone, which over train rows
/// that stay where they were extracted, and which need every row in one place. Only the built-in
/// Probeless ranking reads nothing but class means and counts; a ranking that implements
/// <see cref="IRankingOverHeldRows"/> (the Linear ranking) and a probe that implements
/// <see cref="IProbeOverHeldRows"/> (the linear probe) run over held rows; other rankings
/// (Gaussian, IoU, third-party ones) and probes, the max-activating contexts and the
/// interventions read rows.</summary>
public static class MomentRankings
{
    private const string ProbelessType = "NeuronHost.Plugins.Probeless.ProbelessRanking";

    /// <summary>The ranking uses that can run from merged class moments.</summary>
    public static IReadOnlyList<PluginUse> FromMoments(AnalysisConfig c, PluginCatalog catalog) =>
        c.Rankings.Where(u => catalog.Find(u.Plugin) is { } p && p.Type.FullName == ProbelessType && p.Version.Major == 1).ToList();

    /// <summary>The ranking uses that can run over train rows kept where they were extracted
    /// (<see cref="IRankingOverHeldRows"/>, with their parameters as set).</summary>
    public static IReadOnlyList<PluginUse> OverHeldRows(AnalysisConfig c, PluginCatalog catalog) =>
        c.Rankings.Where(u => !FromMoments(c, catalog).Contains(u) && WhyRowsNeeded(u, catalog) is null).ToList();

    /// <summary>The probe uses that can run over rows kept where they were extracted
    /// (<see cref="IProbeOverHeldRows"/>, with their parameters as set).</summary>
    public static IReadOnlyList<PluginUse> ProbesOverHeldRows(AnalysisConfig c, PluginCatalog catalog) =>
        c.Probes.Where(u => WhyProbeNeedsRows(u, catalog) is null).ToList();

    /// <summary>Null when the use's probe can run over held rows; else why not ("" when it cannot at all).</summary>
    private static string? WhyProbeNeedsRows(PluginUse u, PluginCatalog catalog)
    {
        if (catalog.Find(u.Plugin) is not { } p || !typeof(IProbeOverHeldRows).IsAssignableFrom(p.Type)) return "";
        try { return catalog.Create<IProbe>(u.Plugin, u.Parameters) is IProbeOverHeldRows r ? r.WhyRowsNeeded() : ""; }
        catch (PluginException e) { return e.Message; }
    }

    /// <summary>Null when the use's ranking can run over held rows; else why not.</summary>
    private static string? WhyRowsNeeded(PluginUse u, PluginCatalog catalog)
    {
        if (catalog.Find(u.Plugin) is not { } p || !typeof(IRankingOverHeldRows).IsAssignableFrom(p.Type)) return "";
        try { return catalog.Create<IRankingMethod>(u.Plugin, u.Parameters) is IRankingOverHeldRows r ? r.WhyRowsNeeded() : ""; }
        catch (PluginException e) { return e.Message; }
    }

    /// <summary>What forces rows to the coordinator, one phrase each ("ranking 'linear'", …).</summary>
    public static IReadOnlyList<string> NeedRows(AnalysisConfig c, PluginCatalog catalog)
    {
        var fromMoments = FromMoments(c, catalog).Select(u => u.DisplayName).ToHashSet();
        var held = OverHeldRows(c, catalog).Select(u => u.DisplayName).ToHashSet();
        var why = new List<string>();
        why.AddRange(c.Rankings.Where(u => !fromMoments.Contains(u.DisplayName) && !held.Contains(u.DisplayName))
            .Select(u => WhyRowsNeeded(u, catalog) is { Length: > 0 } reason ? $"ranking '{u.DisplayName}' ({reason})" : $"ranking '{u.DisplayName}'"));
        var heldProbes = ProbesOverHeldRows(c, catalog).Select(u => u.DisplayName).ToHashSet();
        why.AddRange(c.Probes.Where(u => !heldProbes.Contains(u.DisplayName))
            .Select(u => WhyProbeNeedsRows(u, catalog) is { Length: > 0 } reason ? $"probe '{u.DisplayName}' ({reason})" : $"probe '{u.DisplayName}'"));
        why.AddRange(c.Interventions.Select(u => $"intervention '{u.DisplayName}'"));
        if (c.TopContexts > 0 && c.Rankings.Count > 0) why.Add($"the max-activating contexts (top-contexts: {c.TopContexts})");
        if (c.ClusterRows == AnalysisConfig.RowsToCoordinator) why.Add($"cluster-rows: {AnalysisConfig.RowsToCoordinator} (a store of them kept here)");
        return why;
    }
}
