using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;

namespace NeuronHost.Data.Extraction;

/// <summary>Which units of a sentence are fed to the tokenizer.</summary>
public enum WordUnit
{
    /// <summary>The annotated (syntactic) words, one store row each: "did n't" is fed as two
    /// words. The usual probing setup: every labelled word has its own vector.</summary>
    Syntactic,
    /// <summary>The text's surface tokens (CoNLL-U multiword tokens unsplit: "didn't"); the
    /// words of a multiword token all get that token's vector.</summary>
    Surface,
    /// <summary>The sentence's original text (CoNLL-U <c># text</c>), as the model read text in
    /// training; each syntactic word takes the tokens overlapping its characters (both words of
    /// "don't" the tokens of "don't"). A sentence without a text that matches its forms, or a
    /// tokenizer that cannot map tokens back to characters, falls back to <see cref="Syntactic"/>
    /// (counted in <see cref="ExtractionResult.TextFallbacks"/>).</summary>
    Text,
}

/// <summary>Options of <see cref="ExtractionJob.Run"/> (the <c>neuronhost extract</c> command).</summary>
public sealed record ExtractionOptions
{
    /// <summary>The corpus to run (<see cref="Corpus.Load"/>). Every word of every split becomes
    /// a store row, splits in corpus order (train, dev, test).</summary>
    public required Corpus Corpus { get; init; }

    /// <summary>Hook points to capture (TransformerLens names, e.g. <c>blocks.0.mlp.hook_post</c>);
    /// their columns are concatenated in this order.</summary>
    public required IReadOnlyList<string> HookPoints { get; init; }

    /// <summary>The store directory (created; an existing matching store is resumed or reused).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>How a word's subword vectors become one: First, Last (default: for a causal model
    /// the last subword has seen the whole word) or Mean.</summary>
    public WordAggregation Aggregation { get; init; } = WordAggregation.Last;

    /// <summary>Float32 (default) or Float16 (half the disk; reads convert back to float32).</summary>
    public StoreDType DType { get; init; } = StoreDType.Float32;

    /// <summary>What the model reads: the sentence text (default) or its words joined by spaces.</summary>
    public WordUnit Words { get; init; } = WordUnit.Text;

    /// <summary>Sequences per forward pass (default 16). Fixed at store creation: a resumed run
    /// uses the store's value so that it ends byte-identical.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Rows per shard; 0 (default) picks about 32 MiB of float32 per shard.</summary>
    public int RowsPerShard { get; init; }

    /// <summary>Replace an existing store made from something else (otherwise an error).</summary>
    public bool Force { get; init; }

    /// <summary>When set, the task's label of each word goes into tokens.tsv and the manifest
    /// records the task (other tasks can still be derived from the stored annotations).</summary>
    public TaskSpec? Task { get; init; }

    /// <summary>The model's directory, when known: its files' SHA-256 is recorded as the model
    /// hash (and must match when a store is reused).</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Let the tokenizer add its special tokens (BOS/CLS…) around each sentence.</summary>
    public bool AddSpecialTokens { get; init; } = true;
}

/// <summary>What <see cref="ExtractionJob.Run"/> did.</summary>
public sealed record ExtractionResult(
    string Directory,
    StoreOpenState State,
    int ShardsWritten,
    long Rows,
    long ModelTokens,
    int WindowedSentences,
    long TruncatedTokens,
    int EmptyWords)
{
    /// <summary>Sentences read as their text (<see cref="WordUnit.Text"/>); for a reused store, as its manifest recorded.</summary>
    public int TextSentences { get; init; }
    /// <summary>Sentences that fell back to joined words, by reason.</summary>
    public IReadOnlyDictionary<string, int> TextFallbacks { get; init; } = new Dictionary<string, int>();
    /// <summary>False only for a reused store from a version that did not record the two above.</summary>
    public bool TextRecorded { get; init; } = true;
}
