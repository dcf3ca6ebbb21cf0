using System.Text;
using System.Text.Json;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>Turns ids into text through vocab.json and GPT-2's byte↔unicode table, only so a
/// person can read the generated text in the test output.</summary>
internal static class Gpt2VocabDecoder
{
    public static string Decode(string modelDir, IEnumerable<int> ids)
    {
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(modelDir, "vocab.json")))!;
        var byId = vocab.ToDictionary(kv => kv.Value, kv => kv.Key);
        var unicodeToByte = new Dictionary<char, byte>();
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        int extra = 0;
        for (int b = 0; b < 256; b++)
            unicodeToByte[(char)(printable.Contains(b) ? b : 256 + extra++)] = (byte)b;
        var bytes = new List<byte>();
        foreach (int id in ids)
            if (byId.TryGetValue(id, out var token))
                foreach (char ch in token) if (unicodeToByte.TryGetValue(ch, out byte b)) bytes.Add(b);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
