namespace NeuronHost.Sdk.Interventions;

/// <summary>Hook points named by the user for a model.</summary>
public static class HookSelection
{
    /// <summary>Full hook names ("blocks.2.mlp.hook_post") or suffixes matched in every block
    /// ("mlp.hook_post"), comma-separated, in layer order.</summary>
    public static string[] Resolve(ModelInfo model, string pattern, string plugin)
    {
        var result = new List<string>();
        foreach (var part in pattern.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (model.HookPointWidths.ContainsKey(part)) { result.Add(part); continue; }
            var matches = Enumerable.Range(0, model.Layers).Select(l => $"blocks.{l}.{part}").Where(model.HookPointWidths.ContainsKey).ToArray();
            if (matches.Length == 0)
                throw new PluginInputException($"{plugin}: model '{model.Name}' has no hook point '{part}'");
            result.AddRange(matches);
        }
        return [.. result.Distinct()];
    }
}
