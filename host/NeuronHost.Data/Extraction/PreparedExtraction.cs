using System.Security.Cryptography;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>An extraction cut into its deterministic pieces: the hook columns, the token table,
/// the per-sentence model inputs (plans) and the store manifest it will produce, and
/// <see cref="RunBatch"/> to compute one batch of rows. <see cref="ExtractionJob"/> runs every
/// batch in order into one store; a cluster runs ranges of batches on different machines. Both
/// see the same batches (same sequences padded together), so the rows are the same bytes.</summary>
public sealed class PreparedExtraction
{
    private readonly IModelSession session;
    private readonly ExtractionOptions options;
    private List<SequencePlan>? plans;
    private CorpusSentence[] sentences = [];
    private float[] rows = [];

    public IReadOnlyList<StoreHookPoint> Hooks { get; }
    public int Columns { get; }
    public TokenTable Table { get; }
    public byte[] Sidecar { get; }
    public string CorpusHash { get; }
    public string? ModelHash { get; }

    internal List<SequencePlan> Plans => plans ?? throw new InvalidOperationException("PlanSequences first");
    internal PlanStats Stats { get; private set; }
    /// <summary>The manifest (without shards) of the store this extraction writes.</summary>
    public StoreManifest Wanted { get; private set; } = null!;

    private PreparedExtraction(IModelSession session, ExtractionOptions options, List<StoreHookPoint> hooks, int columns,
        TokenTable table, byte[] sidecar, string corpusHash, string? modelHash)
    {
        this.session = session; this.options = options;
        Hooks = hooks; Columns = columns; Table = table; Sidecar = sidecar; CorpusHash = corpusHash; ModelHash = modelHash;
    }

    /// <summary>Checks the hook points, builds the token table and hashes model and corpus (no tokenisation yet).</summary>
    public static PreparedExtraction Start(IModelSession session, ExtractionOptions options)
    {
        _ = session.Tokenizer
            ?? throw new InvalidOperationException($"model {session.Info.Name} has no tokenizer: extraction needs one to align words");
        var info = session.Info;
        if (options.HookPoints.Count == 0) throw new ArgumentException("no hook points chosen");
        var hooks = new List<StoreHookPoint>();
        int column = 0;
        foreach (var name in options.HookPoints)
        {
            if (!info.HookPointWidths.TryGetValue(name, out int width))
                throw new ArgumentException($"model {info.Name} has no hook point '{name}' (it has e.g. {string.Join(", ", info.HookPointWidths.Keys.Take(6))}…)");
            if (hooks.Any(h => h.Name == name)) throw new ArgumentException($"hook point '{name}' chosen twice");
            hooks.Add(new StoreHookPoint(name, width, column));
            column += width;
        }
        var corpus = options.Corpus;
        var table = TokenTable.FromCorpus(corpus);
        if (table.Rows == 0) throw new ArgumentException($"corpus {corpus.Name} has no words");
        string?[]? labels = options.Task is { } task ? table.Words.Select(task.LabelOf).ToArray() : null;
        byte[] sidecar = TokenSidecar.ToBytes(table, labels);
        string corpusHash = corpus.Files.Count > 0 ? corpus.ComputeHash() : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(sidecar));
        string? modelHash = options.ModelDirectory is { } dir ? ExtractionJob.HashModelDirectory(dir) : null;
        return new PreparedExtraction(session, options, hooks, column, table, sidecar, corpusHash, modelHash) { labels = labels };
    }

    private string?[]? labels;

    /// <summary>Tokenises every sentence into model inputs and fills <see cref="Wanted"/>.</summary>
    public void PlanSequences()
    {
        var info = session.Info;
        var corpus = options.Corpus;
        sentences = corpus.Sentences.ToArray();
        var (planned, stats) = Plan(sentences, session.Tokenizer!, options, info.MaxPositions);
        plans = planned;
        Stats = stats;
        int rowsPerShard = options.RowsPerShard > 0 ? options.RowsPerShard : Math.Max(1, (32 << 20) / (Columns * 4));
        Wanted = new StoreManifest
        {
            Model = new StoreModel(info.Name, info.Family, info.Identity, ModelHash),
            Corpus = new StoreCorpus(corpus.Name, corpus.Format, CorpusHash,
                corpus.Files.Select(f => new StoreFileInfo(Path.GetFileName(f), new FileInfo(f).Length)).ToArray()),
            WordUnit = ExtractionJob.UnitName(options.Words),
            HookPoints = Hooks,
            Columns = Columns,
            Aggregation = options.Aggregation,
            DType = options.DType,
            RowsPerShard = rowsPerShard,
            TotalRows = Table.Rows,
            Splits = SplitRanges(corpus),
            Extraction = new StoreExtraction(Math.Max(1, options.BatchSize), info.MaxPositions, "window", options.AddSpecialTokens,
                stats.ModelTokens, stats.Windowed, stats.Truncated, stats.Empty,
                options.Words == WordUnit.Text ? stats.TextSentences : null, options.Words == WordUnit.Text ? stats.TextFallbacks : null),
            Task = options.Task is { } t ? new StoreTask(t.Name, labels!.Where(l => l is not null).Distinct().Order(StringComparer.Ordinal).ToArray()!) : null,
            Sidecar = new StoreSidecar(TokenSidecar.FileName, 0, ""),
        };
    }

    /// <summary>Batches of <paramref name="batchSize"/> model inputs.</summary>
    public int BatchCount(int batchSize) => (Plans.Count + batchSize - 1) / batchSize;

    /// <summary>The store rows [first, end) that batches [b0, b1) produce.</summary>
    public (long First, long End) RowsOf(int b0, int b1, int batchSize)
    {
        int p0 = b0 * batchSize, p1 = Math.Min(Plans.Count, b1 * batchSize);
        if (p0 >= p1) return (0, 0);
        return (Plans[p0].FirstRow, Plans[p1 - 1].FirstRow + Plans[p1 - 1].RowCount);
    }

    /// <summary>The corpus sentences [first, end) that batches [b0, b1) cover (a sentence cut into
    /// windows can straddle two batches; it then counts for both).</summary>
    public (int First, int End) SentencesOf(int b0, int b1, int batchSize)
    {
        int p0 = b0 * batchSize, p1 = Math.Min(Plans.Count, b1 * batchSize);
        return p0 >= p1 ? (0, 0) : (Plans[p0].Sentence, Plans[p1 - 1].Sentence + 1);
    }

    /// <summary>Model tokens in batches [b0, b1).</summary>
    public long TokensOf(int b0, int b1, int batchSize) =>
        Plans.Skip(b0 * batchSize).Take((b1 - b0) * batchSize).Sum(p => (long)p.Ids.Length);

    /// <summary>Runs batch <paramref name="batch"/> and hands each input's rows to
    /// <paramref name="sink"/> (first store row, values [rows, Columns], rows). Returns the model tokens fed.</summary>
    public double RunBatch(int batch, int batchSize, WordAggregation aggregation, RowSink sink, CancellationToken cancellation)
    {
        var part = Plans.Skip(batch * batchSize).Take(batchSize).ToArray();
        var capture = Hooks.Select(h => h.Name).ToArray();
        var forward = session.Forward(new ForwardRequest(part.Select(p => p.Ids).ToArray()) { Capture = capture, Logits = LogitsMode.None }, cancellation);
        foreach (var (plan, i) in part.Select((p, i) => (p, i)))
        {
            int need = plan.RowCount * Columns;
            if (rows.Length < need) rows = new float[need];
            Fill(plan, i, forward, Hooks, aggregation, sentences[plan.Sentence], options.Words, rows.AsSpan(0, need), Columns);
            sink(plan.FirstRow, rows.AsSpan(0, need), plan.RowCount);
        }
        return part.Sum(p => (double)p.Ids.Length);
    }

    public delegate void RowSink(long firstRow, ReadOnlySpan<float> values, int rows);

    private static void Fill(SequencePlan plan, int index, ForwardResult forward, IReadOnlyList<StoreHookPoint> hooks,
        WordAggregation aggregation, CorpusSentence sentence, WordUnit unit, Span<float> rows, int columns)
    {
        foreach (var hook in hooks)
        {
            if (!forward.Captured.TryGetValue(hook.Name, out var perSequence) || perSequence.Count <= index)
                throw new InvalidOperationException($"the model did not return hook point '{hook.Name}'");
            var captured = perSequence[index];
            if (captured.Columns != hook.Width || captured.Rows != plan.Ids.Length)
                throw new InvalidOperationException($"hook point '{hook.Name}' returned [{captured.Rows}, {captured.Columns}], expected [{plan.Ids.Length}, {hook.Width}]");
            int row = 0;
            for (int u = 0; u < plan.Spans.Length; u++)
            {
                int words = unit == WordUnit.Surface ? sentence.SurfaceTokens[plan.FirstUnit + u].LastWord - sentence.SurfaceTokens[plan.FirstUnit + u].FirstWord + 1 : 1;
                var first = rows.Slice(row * columns + hook.FirstColumn, hook.Width);
                WordPooling.Pool(captured, plan.Spans[u], aggregation, first);
                for (int k = 1; k < words; k++) first.CopyTo(rows.Slice((row + k) * columns + hook.FirstColumn, hook.Width));
                row += words;
            }
        }
    }

    internal readonly record struct PlanStats(long ModelTokens, int Windowed, long Truncated, int Empty, int TextSentences, IReadOnlyDictionary<string, int> TextFallbacks);

    /// <summary>One sentence's ids and word spans: its text when the unit is Text and the text can be
    /// aligned (else its syntactic words, the reason counted), its surface tokens or its words.</summary>
    private static WordAlignment Encode(CorpusSentence sentence, ITokenizer tokenizer, ExtractionOptions options, Dictionary<string, int> fallbacks, ref int textSentences)
    {
        if (options.Words == WordUnit.Text)
        {
            if (TextAlignment.Align(sentence, tokenizer, options.AddSpecialTokens, out var reason) is { } text)
            {
                textSentences++;
                return new WordAlignment(text.Ids, text.WordSpans);
            }
            fallbacks[reason!] = fallbacks.GetValueOrDefault(reason!) + 1;
        }
        var units = options.Words == WordUnit.Surface ? sentence.SurfaceTokens.Select(t => t.Form).ToArray() : sentence.Words.Select(w => w.Form).ToArray();
        var alignment = tokenizer.EncodeWords(units, options.AddSpecialTokens);
        if (alignment.Words.Count != units.Length)
            throw new InvalidOperationException($"sentence {sentence.Id}: the tokenizer aligned {alignment.Words.Count} words, expected {units.Length}");
        return alignment;
    }

    private static (List<SequencePlan>, PlanStats) Plan(CorpusSentence[] sentences, ITokenizer tokenizer, ExtractionOptions options, int maxPositions)
    {
        var plans = new List<SequencePlan>();
        long row = 0, tokens = 0, truncated = 0;
        int windowed = 0, empty = 0, textSentences = 0;
        var fallbacks = new Dictionary<string, int>();
        for (int s = 0; s < sentences.Length; s++)
        {
            var sentence = sentences[s];
            var alignment = Encode(sentence, tokenizer, options, fallbacks, ref textSentences);
            empty += alignment.Words.Count(w => w.Length == 0);
            int pieces = 0;
            foreach (var (ids, firstUnit, spans, cut) in SentenceWindows.Split(alignment, maxPositions > 0 ? maxPositions : int.MaxValue))
            {
                int rowCount = options.Words == WordUnit.Surface
                    ? Enumerable.Range(firstUnit, spans.Length).Sum(u => sentence.SurfaceTokens[u].LastWord - sentence.SurfaceTokens[u].FirstWord + 1)
                    : spans.Length;
                plans.Add(new SequencePlan(s, ids, firstUnit, spans, row, rowCount));
                row += rowCount;
                tokens += ids.Length;
                truncated += cut;
                pieces++;
            }
            if (pieces > 1) windowed++;
        }
        return (plans, new PlanStats(tokens, windowed, truncated, empty, textSentences, fallbacks));
    }

    private static IReadOnlyList<StoreSplit> SplitRanges(Corpus corpus)
    {
        var result = new List<StoreSplit>();
        long row = 0;
        foreach (var split in corpus.Splits)
        {
            long words = split.WordCount;
            result.Add(new StoreSplit(split.Name, row, words, split.Sentences.Count));
            row += words;
        }
        return result;
    }

}
