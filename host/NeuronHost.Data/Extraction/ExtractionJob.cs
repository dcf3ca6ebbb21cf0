using System.Security.Cryptography;
using System.Text;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>Sentences → tokenizer word alignment → batched forward passes capturing hook points →
/// one vector per word → an activation store on disk. Resumable: if the output directory holds
/// an unfinished store of the same identity, work restarts at the batch containing the first
/// missing row and the finished store is byte-identical to an uninterrupted run. A complete
/// matching store is reused without running the model. Sentences longer than the model's max
/// positions are cut into windows with left context (see the manifest's extraction section).</summary>
public static class ExtractionJob
{
    public const string ProgressStage = "extract";

    /// <summary>Loads the model and its tokenizer from a Hugging Face folder
    /// (<c>ModelLoader.Load</c>, <c>TokenizerLoader.TryLoad</c>) and runs the extraction; the
    /// folder's files are hashed into the manifest.</summary>
    public static ExtractionResult Run(string modelDirectory, ExtractionOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        using var session = NeuronHost.Runtime.Models.ModelLoader.Load(modelDirectory,
            NeuronHost.Runtime.Tokenizers.TokenizerLoader.TryLoad(modelDirectory));
        return Run(session, options with { ModelDirectory = options.ModelDirectory ?? modelDirectory }, progress, cancellation);
    }

    /// <summary>Runs (or resumes, or reuses) the extraction. Progress reports tokens fed to the
    /// model (Done/Total in "tokens"); tokens/s and ETA follow from successive reports.
    /// Cancellation stops between batches: finished shards stay, and running again resumes.</summary>
    public static ExtractionResult Run(IModelSession session, ExtractionOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        var tokenizer = session.Tokenizer
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

        string? modelHash = options.ModelDirectory is { } dir ? HashModelDirectory(dir) : null;
        var sentences = corpus.Sentences.ToArray();
        if (TryReuse(options, info, modelHash, corpus, corpusHash, hooks, column, table.Rows, progress, cancellation) is { } reused)
        {
            progress?.Report(new ProgressReport(ProgressStage, 1, 1, "tokens"));
            return reused;
        }
        var (plans, stats) = Plan(sentences, tokenizer, options, info.MaxPositions);

        int rowsPerShard = options.RowsPerShard > 0 ? options.RowsPerShard : Math.Max(1, (32 << 20) / (column * 4));
        var wanted = new StoreManifest
        {
            Model = new StoreModel(info.Name, info.Family, info.Identity, modelHash),
            Corpus = new StoreCorpus(corpus.Name, corpus.Format, corpusHash,
                corpus.Files.Select(f => new StoreFileInfo(Path.GetFileName(f), new FileInfo(f).Length)).ToArray()),
            WordUnit = UnitName(options.Words),
            HookPoints = hooks,
            Columns = column,
            Aggregation = options.Aggregation,
            DType = options.DType,
            RowsPerShard = rowsPerShard,
            TotalRows = table.Rows,
            Splits = SplitRanges(corpus),
            Extraction = new StoreExtraction(Math.Max(1, options.BatchSize), info.MaxPositions, "window", options.AddSpecialTokens,
                stats.ModelTokens, stats.Windowed, stats.Truncated, stats.Empty),
            Task = options.Task is { } t ? new StoreTask(t.Name, labels!.Where(l => l is not null).Distinct().Order(StringComparer.Ordinal).ToArray()!) : null,
            Sidecar = new StoreSidecar(TokenSidecar.FileName, 0, ""),
        };

        using var writer = StoreWriter.Open(options.OutputDirectory, wanted, sidecar, options.Force, progress, cancellation);
        var result = new ExtractionResult(options.OutputDirectory, writer.State, 0, table.Rows, stats.ModelTokens, stats.Windowed, stats.Truncated, stats.Empty)
            { TextSentences = stats.TextSentences, TextFallbacks = stats.TextFallbacks };
        if (writer.State == StoreOpenState.Reused)
        {
            progress?.Report(new ProgressReport(ProgressStage, stats.ModelTokens, stats.ModelTokens, "tokens"));
            return result;
        }

        // The store's own settings (for a resumed store, those it was started with).
        var manifest = writer.Manifest;
        int batchSize = manifest.Extraction?.BatchSize ?? Math.Max(1, options.BatchSize);
        var capture = hooks.Select(h => h.Name).ToArray();

        int firstPlan = 0;
        while (firstPlan < plans.Count && plans[firstPlan].FirstRow + plans[firstPlan].RowCount <= writer.NextRow) firstPlan++;
        int startBatch = firstPlan / batchSize;
        double done = plans.Take(startBatch * batchSize).Sum(p => (double)p.Ids.Length);
        progress?.Report(new ProgressReport(ProgressStage, done, stats.ModelTokens, "tokens"));

        float[] rows = [];
        for (int b = startBatch * batchSize; b < plans.Count; b += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = plans.Skip(b).Take(batchSize).ToArray();
            var forward = session.Forward(new ForwardRequest(batch.Select(p => p.Ids).ToArray()) { Capture = capture, Logits = LogitsMode.None }, cancellation);
            foreach (var (plan, i) in batch.Select((p, i) => (p, i)))
            {
                int need = plan.RowCount * column;
                if (rows.Length < need) rows = new float[need];
                Fill(plan, i, forward, hooks, manifest.Aggregation, sentences[plan.Sentence], options.Words, rows.AsSpan(0, need), column);
                writer.Append(plan.FirstRow, rows.AsSpan(0, need), plan.RowCount);
            }
            done += batch.Sum(p => (double)p.Ids.Length);
            progress?.Report(new ProgressReport(ProgressStage, done, stats.ModelTokens, "tokens"));
        }
        writer.Finish();
        return result with { ShardsWritten = writer.ShardsWritten };
    }

    /// <summary>A complete store of the same identity needs no tokenisation at all, once every
    /// file of it matches its recorded SHA-256 (a damaged one throws, naming the file).</summary>
    private static ExtractionResult? TryReuse(ExtractionOptions options, ModelInfo info, string? modelHash, Corpus corpus, string corpusHash,
        IReadOnlyList<StoreHookPoint> hooks, int columns, long rows, IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        string path = Path.Combine(options.OutputDirectory, StoreManifest.FileName);
        if (!File.Exists(path)) return null;
        using var held = StoreLock.Acquire(options.OutputDirectory); // no writer may change it while it is read and checked
        StoreManifest existing;
        try { existing = StoreManifest.Read(path); }
        catch (StoreFormatException) { return null; } // StoreWriter.Open reports it
        var probe = existing with
        {
            Model = new StoreModel(info.Name, info.Family, info.Identity, modelHash),
            Corpus = existing.Corpus with { Hash = corpusHash },
            WordUnit = UnitName(options.Words),
            HookPoints = hooks, Columns = columns, Aggregation = options.Aggregation, DType = options.DType,
        };
        if (!existing.Complete || existing.DescribeMismatch(probe) is not null || existing.TotalRows != rows) return null;
        StoreVerifier.Verify(options.OutputDirectory, existing, hash: true, progress, cancellation);
        var x = existing.Extraction;
        return new ExtractionResult(options.OutputDirectory, StoreOpenState.Reused, 0, rows,
            x?.ModelTokens ?? 0, x?.WindowedSentences ?? 0, x?.TruncatedTokens ?? 0, x?.EmptyWords ?? 0);
    }

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

    private readonly record struct PlanStats(long ModelTokens, int Windowed, long Truncated, int Empty, int TextSentences, IReadOnlyDictionary<string, int> TextFallbacks);

    /// <summary>The manifest's name of a word unit.</summary>
    public static string UnitName(WordUnit unit) => unit switch { WordUnit.Surface => "surface", WordUnit.Text => "text", _ => "syntactic" };

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

    /// <summary>"sha256:…" over the model's weight, config and vocabulary files (names and bytes).</summary>
    public static string HashModelDirectory(string directory)
    {
        var files = Directory.GetFiles(directory)
            .Where(f => Path.GetFileName(f) is var n && (n == "config.json" || n.EndsWith(".safetensors") || n.StartsWith("vocab.") || n == "merges.txt"
                || n.StartsWith("tokenizer") || n.EndsWith(".model")))
            .Order(StringComparer.Ordinal).ToArray();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);
        }
        return "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
