using System.Text.Json;
using System.Text.Json.Serialization;
using NeuronHost.Runtime.Files;

namespace NeuronHost.Data.Store;

public enum StoreDType { Float32, Float16 }

/// <summary>How one vector per word is made from the vectors of its subword tokens.</summary>
public enum WordAggregation { First, Last, Mean }

public sealed record StoreModel(string Name, string Family, string Identity, string? Hash);
public sealed record StoreFileInfo(string Name, long Bytes);
public sealed record StoreCorpus(string Name, string Format, string Hash, IReadOnlyList<StoreFileInfo> Files);
/// <summary>Columns [FirstColumn, FirstColumn + Width) of every row hold this hook point.</summary>
public sealed record StoreHookPoint(string Name, int Width, int FirstColumn);
/// <summary>Rows [FirstRow, FirstRow + Rows) are the words of this corpus split.</summary>
public sealed record StoreSplit(string Name, long FirstRow, long Rows, int Sentences);
public sealed record StoreShard(string File, long FirstRow, int Rows, long Bytes, string Sha256);
public sealed record StoreSidecar(string File, long Bytes, string Sha256);
public sealed record StoreTask(string Name, IReadOnlyList<string> ClassNames);

/// <summary>How the extraction was run; fixed when the store is created, and reused as is when
/// an interrupted extraction resumes (so the result is byte-identical).</summary>
public sealed record StoreExtraction(
    int BatchSize,
    int MaxPositions,
    string LongSentences,
    bool AddSpecialTokens,
    long ModelTokens,
    int WindowedSentences,
    long TruncatedTokens,
    int EmptyWords,
    // Text input only: sentences fed as their "# text" and, per reason, those fed as words joined
    // by spaces instead, so a run that reuses the store states what the model read (absent in older stores).
    int? TextSentences = null,
    IReadOnlyDictionary<string, int>? TextFallbacks = null);

/// <summary>manifest.json of an activation store. Shards hold rows
/// [FirstRow, FirstRow + Rows) as raw little-endian row-major [rows, Columns] values of
/// <see cref="DType"/>; the columns are the hook points concatenated in order. The manifest
/// is rewritten atomically after each finished shard; <see cref="Complete"/> turns true after
/// the last. It holds no time stamps, so two runs that compute the same rows write the same bytes.</summary>
public sealed record StoreManifest
{
    public const string FormatName = "neuronhost-activation-store";
    public const int CurrentVersion = 1;
    public const string FileName = "manifest.json";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = CurrentVersion;
    public bool Complete { get; init; }
    public required StoreModel Model { get; init; }
    public required StoreCorpus Corpus { get; init; }
    /// <summary>"text" (the sentence's # text fed to the tokenizer, one row per annotated word
    /// aligned by characters), "syntactic" (one row per annotated word, words joined by spaces) or
    /// "surface" (the text's tokens fed to the tokenizer; the words of a multiword token share its vector).</summary>
    public required string WordUnit { get; init; }
    public required IReadOnlyList<StoreHookPoint> HookPoints { get; init; }
    public required int Columns { get; init; }
    public required WordAggregation Aggregation { get; init; }
    public required StoreDType DType { get; init; }
    public required int RowsPerShard { get; init; }
    public required long TotalRows { get; init; }
    public required IReadOnlyList<StoreSplit> Splits { get; init; }
    public StoreExtraction? Extraction { get; init; }
    public StoreTask? Task { get; init; }
    public required StoreSidecar Sidecar { get; init; }
    public IReadOnlyList<StoreShard> Shards { get; init; } = [];

    public int BytesPerValue => DType == StoreDType.Float16 ? 2 : 4;
    public long RowBytes => (long)Columns * BytesPerValue;
    public int ShardCount => (int)((TotalRows + RowsPerShard - 1) / RowsPerShard);
    public long FinishedRows => Shards.Sum(s => (long)s.Rows);
    public static string ShardFileName(int index) => $"shard-{index:D5}.bin";

    /// <summary>What makes two stores interchangeable: model, corpus content, word unit, hook
    /// points, aggregation and dtype. Null when they match, else a description of the first difference.</summary>
    public string? DescribeMismatch(StoreManifest wanted)
    {
        if (Model.Identity != wanted.Model.Identity) return $"model '{Model.Identity}', not '{wanted.Model.Identity}'";
        if (Model.Hash is not null && wanted.Model.Hash is not null && Model.Hash != wanted.Model.Hash)
            return $"model files {Model.Hash}, not {wanted.Model.Hash}";
        if (Corpus.Hash != wanted.Corpus.Hash) return $"corpus {Corpus.Name} ({Corpus.Hash}), not {wanted.Corpus.Name} ({wanted.Corpus.Hash})";
        if (WordUnit != wanted.WordUnit) return $"word unit {WordUnit}, not {wanted.WordUnit}";
        string mine = string.Join(",", HookPoints.Select(h => $"{h.Name}:{h.Width}"));
        string theirs = string.Join(",", wanted.HookPoints.Select(h => $"{h.Name}:{h.Width}"));
        if (mine != theirs) return $"hook points {mine}, not {theirs}";
        if (Aggregation != wanted.Aggregation) return $"aggregation {Aggregation}, not {wanted.Aggregation}";
        if (DType != wanted.DType) return $"dtype {DType}, not {wanted.DType}";
        return null;
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>A manifest larger than this is refused unread (a million shards take ~250 MB less).</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>Reads and validates the manifest as a whole (<see cref="StoreManifestRules"/>);
    /// it must be a file of at most <see cref="MaxBytes"/> inside its folder.</summary>
    public static StoreManifest Read(string path)
    {
        var (_, length, problem) = FolderFile.LocateWithLength(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path));
        if (problem is not null) throw new StoreFormatException(path, problem == "missing" ? "missing: not an activation store" : problem);
        if (length > MaxBytes) throw new StoreFormatException(path, $"{length} bytes; a manifest may have at most {MaxBytes}");
        if (length == 0) throw new StoreFormatException(path, "empty (or not a regular file): not a valid manifest");
        StoreManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<StoreManifest>(File.ReadAllBytes(path), Json); }
        catch (JsonException e) { throw new StoreFormatException(path, $"not a valid manifest: {e.Message}"); }
        if (manifest is null || manifest.Format != FormatName)
            throw new StoreFormatException(path, $"not a {FormatName} manifest");
        if (manifest.FormatVersion != CurrentVersion)
            throw new StoreFormatException(path, $"format version {manifest.FormatVersion}; this build reads version {CurrentVersion}");
        StoreManifestRules.Check(manifest, path);
        return manifest;
    }
}
