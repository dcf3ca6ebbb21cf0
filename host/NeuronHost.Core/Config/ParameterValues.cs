using System.Globalization;
using System.Reflection;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Config;

/// <summary>Text ↔ typed plugin parameter values (the SDK's supported types: int, long, double,
/// float, bool, string, enums, int[] and double[] as comma lists).</summary>
public static class ParameterValues
{
    public static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "integer"
        : t == typeof(double) || t == typeof(float) ? "number"
        : t == typeof(bool) ? "true/false"
        : t == typeof(string) ? "text"
        : t.IsEnum ? "one of " + string.Join("|", Enum.GetNames(t))
        : t == typeof(int[]) ? "comma list of integers"
        : t == typeof(double[]) ? "comma list of numbers"
        : t.Name;

    /// <summary>Parses <paramref name="text"/> as <paramref name="type"/>; null with a reason when it is not one.</summary>
    public static bool TryParse(Type type, string text, out object? value, out string error)
    {
        var inv = CultureInfo.InvariantCulture;
        text = text.Trim();
        value = null; error = "";
        bool ok;
        if (type == typeof(string)) { value = text; return true; }
        if (type == typeof(int)) { ok = int.TryParse(text, NumberStyles.Integer, inv, out int v); value = v; }
        else if (type == typeof(long)) { ok = long.TryParse(text, NumberStyles.Integer, inv, out long v); value = v; }
        else if (type == typeof(double)) { ok = double.TryParse(text, NumberStyles.Float, inv, out double v) && double.IsFinite(v); value = v; }
        else if (type == typeof(float)) { ok = float.TryParse(text, NumberStyles.Float, inv, out float v) && float.IsFinite(v); value = v; }
        else if (type == typeof(bool)) { ok = bool.TryParse(text, out bool v); value = v; }
        else if (type.IsEnum) { ok = Enum.TryParse(type, text, ignoreCase: true, out var v) && Enum.IsDefined(type, v!); value = v; }
        else if (type == typeof(int[]))
        {
            var parts = Split(text);
            var arr = new int[parts.Length];
            ok = parts.Select((p, i) => int.TryParse(p, NumberStyles.Integer, inv, out arr[i])).All(b => b);
            value = arr;
        }
        else if (type == typeof(double[]))
        {
            var parts = Split(text);
            var arr = new double[parts.Length];
            ok = parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, inv, out arr[i])).All(b => b);
            value = arr;
        }
        else { error = $"parameter type {type.Name} is not supported"; return false; }
        if (!ok) { value = null; error = $"'{text}' is not {Article(Describe(type))}"; }
        return ok;
    }

    private static string Article(string d) => d.StartsWith("one of") || d.StartsWith("true") ? d : (d[0] is 'i' ? "an " : "a ") + d;

    private static string[] Split(string text) =>
        text.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static string Format(object value) => value switch
    {
        int[] a => string.Join(",", a.Select(x => x.ToString(CultureInfo.InvariantCulture))),
        double[] a => string.Join(",", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Sets the parameters (already validated) on a fresh plugin instance.</summary>
    public static void Apply(IPlugin plugin, IReadOnlyDictionary<string, string> parameters)
    {
        var descriptor = PluginDescriptor.From(plugin);
        foreach (var (key, text) in parameters)
        {
            var p = descriptor.Find(key) ?? throw new ConfigException($"plugin '{plugin.Info.Name}' has no parameter '{key}'");
            if (!TryParse(p.Type, text, out var value, out var error))
                throw new ConfigException($"plugin '{plugin.Info.Name}', parameter '{key}': {error}");
            plugin.GetType().GetProperty(p.Name, BindingFlags.Public | BindingFlags.Instance)!.SetValue(plugin, value);
        }
    }
}
