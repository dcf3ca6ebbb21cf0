using System.Reflection;

namespace NeuronHost.Core.Plugins;

/// <summary>One typed, user-settable parameter of a plugin: a public settable property marked
/// <see cref="NeuronHost.Sdk.PluginParameterAttribute"/>.</summary>
/// <param name="Name">kebab-case name the user types: <c>MaxNeurons</c> → <c>max-neurons</c></param>
/// <param name="Type">the property's CLR type</param>
/// <param name="TypeName">what to show: integer, number, true/false, text, one of a|b, integer list…</param>
/// <param name="Default">the value a fresh instance has</param>
/// <param name="DefaultText">the default as the user would type it ("" for none)</param>
/// <param name="Description">from the attribute</param>
/// <param name="Property">the property it sets</param>
public sealed record PluginParameter(
    string Name,
    Type Type,
    string TypeName,
    object? Default,
    string DefaultText,
    string Description,
    PropertyInfo Property)
{
    /// <summary>Enum values (kebab-case) when the parameter is an enum; empty otherwise.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];
    /// <summary>The allowed range of a number (or of each element of a number list); NaN: unbounded.</summary>
    public double Min { get; init; } = double.NaN;
    public double Max { get; init; } = double.NaN;

    /// <summary>"from 0 to 1000", "at least 0", "at most 1" or "" (no bound).</summary>
    public string RangeText => (double.IsNaN(Min), double.IsNaN(Max)) switch
    {
        (false, false) => FormattableString.Invariant($"from {Min} to {Max}"),
        (false, true) => FormattableString.Invariant($"at least {Min}"),
        (true, false) => FormattableString.Invariant($"at most {Max}"),
        _ => "",
    };
}
