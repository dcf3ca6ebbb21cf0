using NeuronHost.Sdk;

namespace NeuronHost.Data.Tasks;

public enum TaskKind { Upos, Xpos, DepRel, Feature }

/// <summary>Which label of each word a task predicts: UPOS, XPOS (also the label of a NeuroX
/// pair of files), DEPREL, or one morphological feature (<c>Number</c>, <c>Tense</c>, …; words
/// without that feature are not part of the task).</summary>
public sealed record TaskSpec(TaskKind Kind, string? FeatureName = null, bool DepRelSubtypes = true)
{
    public static TaskSpec Upos { get; } = new(TaskKind.Upos);
    public static TaskSpec Xpos { get; } = new(TaskKind.Xpos);
    public static TaskSpec DepRel { get; } = new(TaskKind.DepRel);
    public static TaskSpec Feature(string name) => new(TaskKind.Feature, name);

    /// <summary>"upos", "xpos", "deprel", "number", "tense", …</summary>
    public string Name => Kind switch
    {
        TaskKind.Feature => FeatureName!.ToLowerInvariant(),
        TaskKind.DepRel when !DepRelSubtypes => "deprel-universal",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses "upos", "xpos", "label" (= xpos), "deprel", "deprel-universal" (subtypes
    /// such as ":poss" removed), "feat:Number" or a bare feature name ("Number", "tense").</summary>
    public static TaskSpec Parse(string text)
    {
        string t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "upos" or "pos": return Upos;
            case "xpos" or "label" or "tag": return Xpos;
            case "deprel": return DepRel;
            case "deprel-universal": return new TaskSpec(TaskKind.DepRel, DepRelSubtypes: false);
        }
        if (t.StartsWith("feat:", StringComparison.OrdinalIgnoreCase)) t = t[5..];
        if (t.Length == 0 || !t.All(c => char.IsLetterOrDigit(c) || c is '[' or ']' or '_'))
            throw new ArgumentException($"unknown task '{text}': use upos, xpos, deprel, deprel-universal or a feature name like Number");
        // UD feature names are capitalised (Number, VerbForm); accept "number".
        return Feature(char.ToUpperInvariant(t[0]) + t[1..]);
    }

    /// <summary>The word's label for this task, or null when it has none.</summary>
    public string? LabelOf(AnnotatedWord word)
    {
        string? value = Kind switch
        {
            TaskKind.Upos => word.Upos,
            TaskKind.Xpos => word.Xpos,
            TaskKind.DepRel => DepRelSubtypes || word.DepRel.IndexOf(':') < 0 ? word.DepRel : word.DepRel[..word.DepRel.IndexOf(':')],
            TaskKind.Feature => FeatureOf(word),
            _ => null,
        };
        return string.IsNullOrEmpty(value) || value == "_" ? null : value;
    }

    private string? FeatureOf(AnnotatedWord word)
    {
        if (word.Features is null) return null;
        if (word.Features.TryGetValue(FeatureName!, out var v)) return v;
        foreach (var (k, value) in word.Features)
            if (string.Equals(k, FeatureName, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}
