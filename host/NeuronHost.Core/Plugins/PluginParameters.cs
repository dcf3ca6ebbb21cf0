using System.Globalization;
using System.Reflection;
using System.Text;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Plugins;

/// <summary>Reflection over a plugin's <see cref="PluginParameterAttribute"/> properties: their
/// names, types, defaults and descriptions, and typed parsing of the strings a user types
/// (invariant culture; lists are comma-separated).</summary>
public static class PluginParameters
{
    /// <summary>The parameters of a plugin type, in declaration order. Defaults are read from
    /// <paramref name="instance"/> (a fresh one when null). Throws <see cref="PluginException"/>
    /// for a parameter of an unsupported type or without a public setter.</summary>
    public static IReadOnlyList<PluginParameter> Describe(Type pluginType, object? instance = null, string? pluginName = null)
    {
        var result = new List<PluginParameter>();
        string who = pluginName ?? pluginType.FullName ?? pluginType.Name;
        foreach (var property in pluginType.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            var attribute = property.GetCustomAttribute<PluginParameterAttribute>();
            if (attribute is null) continue;
            var name = ToKebabCase(property.Name);
            if (property.SetMethod is not { IsPublic: true } || !property.CanRead)
                throw new PluginException($"plugin '{who}' parameter '{name}': the property {property.Name} needs a public getter and setter");
            var typeName = DescribeType(property.PropertyType)
                ?? throw new PluginException($"plugin '{who}' parameter '{name}': type {property.PropertyType.Name} is not supported (use int, long, double, float, bool, string, an enum, int[] or double[])");
            instance ??= Activator.CreateInstance(pluginType);
            var value = property.GetValue(instance);
            var underlying = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            result.Add(new PluginParameter(name, property.PropertyType, typeName, value, Format(value), attribute.Description, property)
            {
                Choices = underlying.IsEnum ? Enum.GetNames(underlying).Select(ToKebabCase).ToArray() : [],
                Min = attribute.Min,
                Max = attribute.Max,
            });
        }
        return result;
    }

    /// <summary>Parses <paramref name="text"/> into the parameter's type; a
    /// <see cref="PluginException"/> like "plugin 'random' parameter 'seed': 'abc' is not an
    /// integer" otherwise.</summary>
    public static object? Parse(string pluginName, PluginParameter parameter, string text)
    {
        var value = ParseUnchecked(pluginName, parameter, text);
        IEnumerable<double> numbers = value switch
        {
            int i => [i], long l => [l], double d => [d], float f => [f],
            int[] a => a.Select(x => (double)x), double[] a => a,
            _ => Enumerable.Empty<double>(),
        };
        foreach (var n in numbers)
            if (n < parameter.Min || n > parameter.Max || (double.IsNaN(n) && parameter.RangeText.Length > 0))
                throw new PluginException(FormattableString.Invariant(
                    $"plugin '{pluginName}' parameter '{parameter.Name}': {n} is outside the allowed range ({parameter.RangeText})"));
        return value;
    }

    private static object? ParseUnchecked(string pluginName, PluginParameter parameter, string text)
    {
        string Fail(string what) => $"plugin '{pluginName}' parameter '{parameter.Name}': '{text}' is not {what}";
        var type = parameter.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
            type = underlying;
        }
        var trimmed = text.Trim();
        if (type == typeof(string)) return text;
        if (type == typeof(int))
            return int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw new PluginException(Fail("an integer"));
        if (type == typeof(long))
            return long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : throw new PluginException(Fail("an integer"));
        if (type == typeof(double))
            return TryParseNumber(trimmed, out double d) ? d : throw new PluginException(Fail("a number"));
        if (type == typeof(float))
            return TryParseNumber(trimmed, out double f) && (double.IsInfinity(f) || Math.Abs(f) <= float.MaxValue)
                ? (float)f : throw new PluginException(Fail("a number"));
        if (type == typeof(bool))
            return ParseBool(trimmed) ?? throw new PluginException(Fail("true or false"));
        if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
                if (name.Equals(trimmed, StringComparison.OrdinalIgnoreCase) || ToKebabCase(name).Equals(trimmed, StringComparison.OrdinalIgnoreCase))
                    return Enum.Parse(type, name);
            throw new PluginException(Fail("one of " + string.Join(", ", parameter.Choices)));
        }
        if (type == typeof(int[]))
            return ParseList(trimmed, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : (int?)null)
                ?? throw new PluginException(Fail("a comma-separated list of integers"));
        if (type == typeof(double[]))
            return ParseList(trimmed, s => TryParseNumber(s, out double v) ? v : (double?)null)
                ?? throw new PluginException(Fail("a comma-separated list of numbers"));
        throw new PluginException($"plugin '{pluginName}' parameter '{parameter.Name}': type {type.Name} is not supported");
    }

    /// <summary>Sets the given values (by kebab-case name, or the property name) on a plugin
    /// instance. Unknown names are an error that lists the known ones.</summary>
    public static void Apply(string pluginName, object instance, IReadOnlyList<PluginParameter> parameters,
        IReadOnlyDictionary<string, string>? values)
    {
        if (values is null) return;
        foreach (var (key, text) in values)
        {
            var parameter = Find(parameters, key) ?? throw new PluginException(
                parameters.Count == 0
                    ? $"plugin '{pluginName}' has no parameters (got '{key}')"
                    : $"plugin '{pluginName}' has no parameter '{key}' (its parameters: {string.Join(", ", parameters.Select(p => p.Name))})");
            var value = Parse(pluginName, parameter, text);
            try { parameter.Property.SetValue(instance, value); }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new PluginException($"plugin '{pluginName}' parameter '{parameter.Name}': '{text}' was refused: {e.InnerException.Message}", e.InnerException);
            }
        }
    }

    /// <summary>The parameter a user means by <paramref name="key"/> ("max-neurons",
    /// "MaxNeurons", "max_neurons"), or null.</summary>
    public static PluginParameter? Find(IReadOnlyList<PluginParameter> parameters, string key)
    {
        var normalized = ToKebabCase(key.Trim()).Replace('_', '-');
        return parameters.FirstOrDefault(p => p.Name.Equals(normalized, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A value as the user would type it: invariant numbers ("R" round trip), lower-case
    /// booleans, kebab-case enum names, comma lists.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => ToKebabCase(e.ToString()),
        int[] a => string.Join(",", a.Select(x => x.ToString(CultureInfo.InvariantCulture))),
        double[] a => string.Join(",", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>"MaxNeurons" → "max-neurons", "L1Lambda" → "l1-lambda", "HTMLReport" → "html-report".</summary>
    public static string ToKebabCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool afterLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool endsAcronym = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((afterLowerOrDigit || endsAcronym) && sb.Length > 0 && sb[^1] != '-') sb.Append('-');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c == '_' ? '-' : c);
        }
        return sb.ToString();
    }

    internal static string? DescribeType(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return DescribeType(underlying) is { } inner ? inner + " (optional)" : null;
        if (type == typeof(int) || type == typeof(long)) return "integer";
        if (type == typeof(double) || type == typeof(float)) return "number";
        if (type == typeof(bool)) return "true/false";
        if (type == typeof(string)) return "text";
        if (type == typeof(int[])) return "integer list";
        if (type == typeof(double[])) return "number list";
        if (type.IsEnum) return "one of " + string.Join("|", Enum.GetNames(type).Select(ToKebabCase));
        return null;
    }

    private static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool? ParseBool(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => null,
    };

    private static T[]? ParseList<T>(string text, Func<string, T?> parse) where T : struct
    {
        if (text.Length == 0) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new T[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parse(parts[i]) is not { } v) return null;
            result[i] = v;
        }
        return result;
    }
}
