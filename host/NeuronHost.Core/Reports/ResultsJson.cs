using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronHost.Core.Reports;

/// <summary>results.json: camelCase, indented, NaN/∞ written as strings so the file stays valid JSON.</summary>
public static class ResultsJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true);
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        o.Converters.Add(new CellConverter());
        return o;
    }

    public static string Serialize(RunResults results, bool indented = true) =>
        JsonSerializer.Serialize(results, indented ? Options : Compact);

    public static RunResults Deserialize(string json) =>
        JsonSerializer.Deserialize<RunResults>(json, Options) ?? throw new JsonException("results.json is empty");

    public static RunResults Load(string path)
    {
        try { return Deserialize(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a NeuronHost results file ({e.Message})", e); }
    }

    /// <summary>The results without what legitimately differs between two runs of the same analysis
    /// (wall-clock timings, and the saved config text, which names the output folder): two
    /// reproducible runs give equal strings.</summary>
    public static string Comparable(RunResults results)
    {
        var copy = Deserialize(Serialize(results));
        copy.Timings = [];
        copy.ConfigYaml = null;
        return Serialize(copy, indented: true);
    }

    /// <summary>Table cells: numbers, strings, booleans or null (read back as double/string/bool).</summary>
    private sealed class CellConverter : JsonConverter<object>
    {
        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.Number => reader.GetDouble(),
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Null => null,
                _ => throw new JsonException($"a table cell must be a number, string or boolean, not {reader.TokenType}"),
            };

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
        {
            switch (value)
            {
                case string s: writer.WriteStringValue(s); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case double d when !double.IsFinite(d): writer.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case float f when !float.IsFinite(f): writer.WriteStringValue(f.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case IConvertible c when value is not char and not Enum:
                    writer.WriteNumberValue(c.ToDouble(System.Globalization.CultureInfo.InvariantCulture)); break;
                default: writer.WriteStringValue(value.ToString()); break;
            }
        }
    }
}
