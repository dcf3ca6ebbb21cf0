using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Prompts;

/// <summary>Multiple-choice prompt sets: JSONL, one object per line with "prompt", "choices"
/// (strings), "answer" (index into choices) and optionally "task". The built-in set
/// "agreement" tests subject-verb number agreement ("The dogs near the house" → is/are).</summary>
public static class PromptSets
{
    public static IReadOnlyList<string> BuiltInNames => ["agreement"];

    /// <summary>A built-in set by name, or a JSONL file by path.</summary>
    public static IReadOnlyList<ChoicePrompt> Load(string nameOrPath)
    {
        if (BuiltInNames.Contains(nameOrPath))
        {
            using var stream = typeof(PromptSets).Assembly.GetManifestResourceStream($"NeuronHost.Data.Prompts.{nameOrPath}.jsonl")
                ?? throw new InvalidOperationException($"built-in prompt set '{nameOrPath}' is missing from the assembly");
            using var reader = new StreamReader(stream);
            return Parse(reader, $"built-in:{nameOrPath}");
        }
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException($"{nameOrPath}: prompt set not found (built-in sets: {string.Join(", ", BuiltInNames)})");
        using var file = new StreamReader(nameOrPath);
        return Parse(file, nameOrPath);
    }

    public static IReadOnlyList<ChoicePrompt> Parse(TextReader reader, string source)
    {
        var prompts = new List<ChoicePrompt>();
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                string prompt = root.GetProperty("prompt").GetString() ?? throw new FormatException("\"prompt\" is null");
                var choices = root.GetProperty("choices").EnumerateArray().Select(c => c.GetString() ?? throw new FormatException("a choice is null")).ToArray();
                int answer = root.GetProperty("answer").GetInt32();
                if (choices.Length < 2) throw new FormatException($"needs at least 2 choices, has {choices.Length}");
                if ((uint)answer >= (uint)choices.Length) throw new FormatException($"answer {answer} is not an index into {choices.Length} choices");
                string? task = root.TryGetProperty("task", out var t) ? t.GetString() : null;
                prompts.Add(new ChoicePrompt(prompt, choices, answer, task));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new FormatException($"{source}:{lineNumber}: {e.Message}", e);
            }
        }
        if (prompts.Count == 0) throw new FormatException($"{source}: the prompt set is empty");
        return prompts;
    }
}
