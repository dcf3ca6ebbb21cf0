using System.Globalization;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>What an intervention is given and what it returns, as pipe message bodies: the
/// rankings, the held-out sentences and the prompts go to the worker (the activations are mapped
/// there from the store, the model is opened there); the report comes back. Table cells travel as
/// results.json keeps them: null, string, bool or a number (double).</summary>
internal static class InterventionMessages
{
    public static void WriteRequest(BinaryWriter w, IReadOnlyList<Ranking> rankings, IReadOnlyList<AnnotatedSentence> sentences,
        IReadOnlyList<ChoicePrompt> prompts, bool withProbe)
    {
        w.Write(rankings.Count);
        foreach (var r in rankings)
        {
            w.Write(r.Method ?? "");
            w.Write(r.Order.Count);
            foreach (var n in r.Order) { w.Write(n.Column); w.Write(n.Neuron.HookPoint ?? ""); w.Write(n.Neuron.Index); w.Write(n.Score); }
        }
        w.Write(sentences.Count);
        foreach (var s in sentences)
        {
            w.Write(s.Id ?? "");
            w.Write(s.Words.Count);
            foreach (var x in s.Words)
            {
                w.Write(x.Form ?? ""); w.Write(x.Lemma ?? ""); w.Write(x.Upos ?? ""); w.Write(x.Xpos ?? "");
                w.Write(x.Features is null ? -1 : x.Features.Count);
                foreach (var (k, v) in x.Features ?? new Dictionary<string, string>()) { w.Write(k); w.Write(v); }
                w.Write(x.Head); w.Write(x.DepRel ?? "");
            }
        }
        w.Write(prompts.Count);
        foreach (var p in prompts)
        {
            w.Write(p.Prompt ?? ""); w.WriteStrings(p.Choices); w.Write(p.Answer);
            w.Write(p.Task is not null); if (p.Task is not null) w.Write(p.Task);
        }
        w.Write(withProbe);
    }

    public static (List<Ranking> Rankings, List<AnnotatedSentence> Sentences, List<ChoicePrompt> Prompts, bool WithProbe) ReadRequest(BinaryReader r)
    {
        var rankings = new List<Ranking>();
        for (int i = r.Count(); i > 0; i--)
        {
            string method = r.ReadString();
            var order = new RankedNeuron[r.Count()];
            for (int j = 0; j < order.Length; j++) order[j] = new RankedNeuron(r.ReadInt32(), new NeuronRef(r.ReadString(), r.ReadInt32()), r.ReadDouble());
            rankings.Add(new Ranking(method, order));
        }
        var sentences = new List<AnnotatedSentence>();
        for (int i = r.Count(); i > 0; i--)
        {
            string id = r.ReadString();
            var words = new AnnotatedWord[r.Count()];
            for (int j = 0; j < words.Length; j++)
            {
                string form = r.ReadString(), lemma = r.ReadString(), upos = r.ReadString(), xpos = r.ReadString();
                int features = r.ReadInt32();
                Dictionary<string, string>? map = null;
                if (features >= 0)
                {
                    if (features > r.BaseStream.Length) throw new InvalidDataException($"bad feature count {features}");
                    map = new Dictionary<string, string>(features);
                    for (int f = 0; f < features; f++) map[r.ReadString()] = r.ReadString();
                }
                words[j] = new AnnotatedWord(form, lemma, upos, xpos, map, r.ReadInt32(), r.ReadString());
            }
            sentences.Add(new AnnotatedSentence(id, words));
        }
        var prompts = new List<ChoicePrompt>();
        for (int i = r.Count(); i > 0; i--)
            prompts.Add(new ChoicePrompt(r.ReadString(), r.ReadStrings(), r.ReadInt32(), r.ReadBoolean() ? r.ReadString() : null));
        return (rankings, sentences, prompts, r.ReadBoolean());
    }

    public static void WriteReport(BinaryWriter w, InterventionReport report)
    {
        w.Write(report.Method ?? "");
        w.Write(report.Summary?.Count ?? -1);
        foreach (var (k, v) in report.Summary ?? new Dictionary<string, double>()) { w.Write(k ?? ""); w.Write(v); }
        w.Write(report.Tables?.Count ?? -1);
        foreach (var t in report.Tables ?? [])
        {
            w.Write(t.Name ?? "");
            w.WriteStrings(t.Columns ?? []);
            w.Write(t.Rows?.Count ?? 0);
            foreach (var row in t.Rows ?? [])
            {
                w.Write(row?.Count ?? 0);
                foreach (var cell in row ?? []) WriteCell(w, cell);
            }
        }
    }

    /// <summary>The report as the plugin returned it; a null summary or table list stays null, so
    /// the host's checks see what the plugin did.</summary>
    public static InterventionReport ReadReport(BinaryReader r)
    {
        string method = r.ReadString();
        Dictionary<string, double>? summary = null;
        int n = r.ReadInt32();
        if (n > r.BaseStream.Length) throw new InvalidDataException($"bad summary count {n}");
        if (n >= 0)
        {
            summary = new Dictionary<string, double>(n);
            for (int i = 0; i < n; i++) summary[r.ReadString()] = r.ReadDouble();
        }
        List<ResultTable>? tables = null;
        int t = r.ReadInt32();
        if (t > r.BaseStream.Length) throw new InvalidDataException($"bad table count {t}");
        if (t >= 0)
        {
            tables = new List<ResultTable>(t);
            for (int i = 0; i < t; i++)
            {
                string name = r.ReadString();
                var columns = r.ReadStrings();
                var rows = new List<IReadOnlyList<object>>();
                for (int j = r.Count(); j > 0; j--)
                {
                    var row = new object[r.Count()];
                    for (int c = 0; c < row.Length; c++) row[c] = ReadCell(r)!;
                    rows.Add(row);
                }
                tables.Add(new ResultTable(name, columns, rows));
            }
        }
        return new InterventionReport(method, summary!, tables!);
    }

    private static void WriteCell(BinaryWriter w, object? v)
    {
        switch (v)
        {
            case null: w.Write((byte)0); break;
            case string s: w.Write((byte)1); w.Write(s); break;
            case bool b: w.Write((byte)2); w.Write(b); break;
            case Enum e: w.Write((byte)1); w.Write(e.ToString()); break;
            case IConvertible c when v is not char: w.Write((byte)3); w.Write(c.ToDouble(CultureInfo.InvariantCulture)); break;
            default: w.Write((byte)1); w.Write(v.ToString() ?? ""); break;
        }
    }

    private static object? ReadCell(BinaryReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => r.ReadString(),
        2 => r.ReadBoolean(),
        3 => r.ReadDouble(),
        var tag => throw new InvalidDataException($"bad table cell tag {tag}"),
    };
}
