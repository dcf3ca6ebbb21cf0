using System.Text.RegularExpressions;

namespace NeuronHost.Runtime.Models;

/// <summary>What a checkpoint holds that the model does not read (PyTorch's "unexpected keys"):
/// a warning by default, an error under strict loading. Layers beyond the configured layer
/// count are called out, since they usually mean config.json and the weights disagree.</summary>
internal static partial class UnexpectedTensors
{
    [GeneratedRegex(@"(?:^|\.)(?:h|layer|layers)\.(\d+)\.")]
    private static partial Regex LayerIndex();

    /// <summary>null when nothing is unexpected; otherwise one line naming the tensors.</summary>
    public static string? Describe(IReadOnlyList<string> unused, int configuredLayers, string configKeyOfLayers)
    {
        if (unused.Count == 0) return null;
        var extraLayers = unused.Select(n => LayerIndex().Match(n)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Where(i => i >= configuredLayers).Distinct().Order().ToList();
        string names = string.Join(", ", unused.Take(5)) + (unused.Count > 5 ? $" and {unused.Count - 5} more" : "");
        string layers = extraLayers.Count == 0 ? ""
            : $"; the checkpoint has layers beyond {configKeyOfLayers} = {configuredLayers} ({string.Join(", ", extraLayers.Take(5))}{(extraLayers.Count > 5 ? ", …" : "")})";
        return $"{unused.Count} tensor(s) in the checkpoint are not used by the model: {names}{layers}";
    }
}
