using NeuronHost.Sdk;
using System.Globalization;
using System.Text;
using Ml = Microsoft.ML.Tokenizers;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>SentencePiece tokenisation from tokenizer.model (or the same pieces from another
/// file): normalise, segment with BPE or Unigram, spell pieces the vocabulary lacks as
/// <c>&lt;0xAB&gt;</c> byte pieces (byte fallback) or the unknown piece. Adds &lt;s&gt; in front
/// when special tokens are added, as Llama does.</summary>
public sealed class SentencePieceTokenizer : TokenizerBase
{
    private readonly SentencePiece[] pieces;
    private readonly Dictionary<string, int> mergeable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> reserved = new(StringComparer.Ordinal);
    private readonly int[] byteIds = new int[256];
    private readonly UnigramLattice? unigram;
    private readonly SentencePieceBpe? bpe;
    private readonly BpeMerges? rankedMerges;
    private readonly TfjsUnigramSegmenter? customSegmenter;

    public SentencePieceTokenizer(SentencePieceModel model, string source = "tokenizer.model", BpeMerges? rankedMerges = null,
        SentencePieceNormalizer? normalizer = null)
        : this(model, source, rankedMerges, normalizer, allowDuplicates: false) { }

    private SentencePieceTokenizer(SentencePieceModel model, string source, BpeMerges? rankedMerges,
        SentencePieceNormalizer? normalizer, bool allowDuplicates)
        : base(ToVocabulary(model.Pieces))
    {
        pieces = [.. model.Pieces];
        Model = model;
        try { Normalizer = normalizer ?? SentencePieceNormalizer.From(model); }
        catch (FormatException e) { throw new TokenizerFileException(source, e.Message, 0, e); }
        Algorithm = model.Algorithm;
        ByteFallback = model.ByteFallback;
        Array.Fill(byteIds, -1);
        for (int id = 0; id < pieces.Length; id++)
        {
            var p = pieces[id];
            bool normal = p.Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused;
            if (allowDuplicates) (normal ? mergeable : reserved)[p.Piece] = id;
            else if (!(normal ? mergeable : reserved).TryAdd(p.Piece, id))
                throw new TokenizerFileException(source, $"piece \"{BpeMerges.Shorten(p.Piece)}\" (id {id}) appears twice");
            if (p.Type == PieceType.Byte && TryParseBytePiece(p.Piece, out byte b)) byteIds[b] = id;
        }
        if ((uint)model.UnknownId >= (uint)pieces.Length || pieces[model.UnknownId].Type != PieceType.Unknown)
            throw new TokenizerFileException(source, $"unk_id {model.UnknownId} is not a piece of type UNKNOWN");
        UnknownId = model.UnknownId;
        if (ByteFallback && byteIds.Any(i => i < 0))
            throw new TokenizerFileException(source, "byte_fallback is on but not all 256 <0xXX> byte pieces are present");
        switch (model.Algorithm)
        {
            case SentencePieceAlgorithm.Unigram: unigram = new UnigramLattice(pieces, UnknownId); break;
            case SentencePieceAlgorithm.Bpe:
                if (rankedMerges is null) bpe = new SentencePieceBpe(pieces, mergeable);
                else this.rankedMerges = rankedMerges;
                break;
            default: throw new TokenizerFileException(source, $"model_type {model.Algorithm} is not supported (BPE and Unigram are)");
        }
        BosTokenId = Valid(model.BosId);
        EosTokenId = Valid(model.EosId);
        Prefix = BosTokenId is int bos ? [bos] : [];
    }

    /// <summary>The USE-Lite vocabulary: SentencePiece pieces, normalisation and decoding, with
    /// the segmentation of the TF.js JavaScript tokenizer.</summary>
    internal SentencePieceTokenizer(SentencePieceModel model, SentencePieceNormalizer normalizer, TfjsUnigramSegmenter segmenter, string source)
        : this(model with { Algorithm = SentencePieceAlgorithm.Unigram }, source, null, normalizer, allowDuplicates: true)
    {
        customSegmenter = segmenter;
    }

    /// <summary>From tokenizer.model; Microsoft.ML.Tokenizers encodes where it is exact (see
    /// <see cref="CreateLibraryRoute"/>).</summary>
    public static SentencePieceTokenizer FromFile(string path)
    {
        var tokenizer = new SentencePieceTokenizer(SentencePieceModel.Read(path), path);
        tokenizer.Library = tokenizer.CreateLibraryRoute(path);
        return tokenizer;
    }

    /// <summary>The library's SentencePieceTokenizer on the same file, for the settings the references
    /// cover (no NFKC or charsmap normalisation; dummy prefix on every segment, as ours), except on
    /// the texts <see cref="LibraryDisagreements"/> names for BPE and Unigram.</summary>
    private LibraryRoute? CreateLibraryRoute(string path)
    {
        var n = Normalizer;
        if (n.Nfkc || n.CharsMap is not null || !n.AddDummyPrefix || n.RemoveExtraWhitespaces || !n.EscapeWhitespaces
            || n.WhitespaceAsSuffix || n.PrependFirstSegmentOnly) return null;
        Ml.SentencePieceTokenizer library;
        try
        {
            using var stream = File.OpenRead(path);
            library = Ml.SentencePieceTokenizer.Create(stream, false, false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException
            or Google.Protobuf.InvalidProtocolBufferException) { return null; } // ours read it: ours encodes it
        var singleCharacters = mergeable.Keys.Where(p => p.EnumerateRunes().Count() == 1).Select(p => p.EnumerateRunes().First().Value).ToHashSet();
        Func<string, bool> wrong = Algorithm == SentencePieceAlgorithm.Bpe
            ? LibraryDisagreements.SentencePieceBpe
            : text => LibraryDisagreements.SentencePieceUnigram(text, singleCharacters);
        return new LibraryRoute(text => library.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false,
            considerPreTokenization: true, considerNormalization: true), wrong);
    }

    public SentencePieceModel Model { get; }
    public SentencePieceNormalizer Normalizer { get; }
    public SentencePieceAlgorithm Algorithm { get; }
    public bool ByteFallback { get; }
    public int UnknownId { get; }
    public IReadOnlyList<SentencePiece> Pieces => pieces;

    public override string Kind => (Algorithm == SentencePieceAlgorithm.Bpe ? "sentencepiece-bpe" : "sentencepiece-unigram");

    protected override int EmptyWordId => TokenToId(SentencePieceNormalizer.Space.ToString()) ?? UnknownId;

    private int? Valid(int id) => (uint)id < (uint)pieces.Length ? id : null;

    private static Dictionary<string, int> ToVocabulary(IReadOnlyList<SentencePiece> pieces)
    {
        var v = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++) v.TryAdd(pieces[i].Piece, i);
        return v;
    }

    internal static bool TryParseBytePiece(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Pieces of the ids, as the vocabulary spells them.</summary>
    public string[] Tokens(IEnumerable<int> ids) => ids.Select(id => IdToToken(id) ?? "").ToArray();

    protected override void EncodeText(string text, List<int> ids, bool atStart)
    {
        if (text.Length > 0 && Library?.TryEncode(text, ids) == true) return;
        EncodeNormalized(Normalizer.Normalize(text, atStart ? null : !Normalizer.PrependFirstSegmentOnly), ids);
    }

    protected override void EncodeWord(int index, string word, List<int> ids)
    {
        if (word.Length > 0 && Library?.TryEncode(word, ids) == true) return;
        EncodeNormalized(Normalizer.Normalize(word, index == 0 ? null : true), ids);
    }

    private void EncodeNormalized(string normalized, List<int> ids)
    {
        if (normalized.Length == 0) return;
        if (customSegmenter is not null) { ids.AddRange(customSegmenter.Segment(normalized)); return; }
        var pieces = new List<(string Piece, int Id)>();
        if (unigram is not null)
            foreach (var (start, end, id) in unigram.Segment(normalized)) pieces.Add((normalized[start..end], id));
        else
            foreach (var piece in bpe is not null ? bpe.Segment(normalized) : rankedMerges!.ApplyToCharacters(normalized))
                pieces.Add((piece, PieceToId(piece)));

        // As the library does: a run of unknown pieces becomes one (its text joined), which byte
        // fallback then spells byte by byte.
        for (int i = 0; i < pieces.Count; i++)
        {
            var (piece, id) = pieces[i];
            if (id == UnknownId)
            {
                int j = i + 1;
                while (j < pieces.Count && pieces[j].Id == UnknownId) j++;
                if (j > i + 1) piece = string.Concat(pieces.Skip(i).Take(j - i).Select(p => p.Piece));
                i = j - 1;
            }
            AddPiece(piece, id, ids);
        }
    }

    /// <summary>The JavaScript segmentation of USE-Lite depends on what precedes a word (its
    /// "best score still 0" rule), so words are aligned inside the running text: each token
    /// belongs to the word its first character is in.</summary>
    public override WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true)
    {
        if (customSegmenter is null) return base.EncodeWords(words, addSpecialTokens);
        var text = new StringBuilder();
        var wordStarts = new int[words.Count];
        for (int i = 0; i < words.Count; i++)
        {
            wordStarts[i] = text.Length;
            text.Append(Normalizer.Normalize(words[i] ?? "", i == 0 ? null : true));
        }
        var tokens = customSegmenter.SegmentWithStarts(text.ToString());
        var ids = new List<int>();
        if (addSpecialTokens) ids.AddRange(Prefix);
        var spans = new TokenSpan[words.Count];
        int t = 0;
        for (int i = 0; i < words.Count; i++)
        {
            int end = i + 1 < words.Count ? wordStarts[i + 1] : text.Length, first = ids.Count;
            for (; t < tokens.Count && tokens[t].Start < end; t++) ids.Add(tokens[t].Id);
            if (ids.Count == first) ids.Add(EmptyWordId);
            spans[i] = new TokenSpan(first, ids.Count - first);
        }
        if (addSpecialTokens) ids.AddRange(Suffix);
        return new WordAlignment(ids.ToArray(), spans);
    }

    /// <summary>SentencePiece's PieceToId: reserved pieces first, then ordinary ones, else unknown.</summary>
    private int PieceToId(string piece) =>
        reserved.TryGetValue(piece, out int id) || mergeable.TryGetValue(piece, out id) ? id : UnknownId;

    private void AddPiece(string piece, int id, List<int> ids)
    {
        if (id == UnknownId && ByteFallback)
        {
            foreach (byte b in Encoding.UTF8.GetBytes(piece)) ids.Add(byteIds[b]);
        }
        else ids.Add(id);
    }

    /// <summary>Pieces joined with ▁ as spaces, byte pieces decoded as UTF-8, control pieces
    /// dropped, the dummy prefix space removed.</summary>
    public override string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        var pending = new List<byte>();
        bool first = true, stripFirstSpace = false;
        void Flush()
        {
            if (pending.Count == 0) return;
            sb.Append(Encoding.UTF8.GetString(pending.ToArray()));
            pending.Clear();
        }
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)pieces.Length) continue;
            var p = pieces[id];
            switch (p.Type)
            {
                case PieceType.Control:
                    continue;
                case PieceType.Byte when TryParseBytePiece(p.Piece, out byte b):
                    pending.Add(b);
                    break;
                case PieceType.Unknown:
                    Flush();
                    sb.Append(" \u2047 ");
                    break;
                default:
                    Flush();
                    if (first && Normalizer.AddDummyPrefix && !Normalizer.WhitespaceAsSuffix && p.Piece.StartsWith(SentencePieceNormalizer.Space))
                        stripFirstSpace = true;
                    sb.Append(p.Piece.Replace(SentencePieceNormalizer.Space, ' '));
                    break;
            }
            first = false;
        }
        Flush();
        if (stripFirstSpace && sb.Length > 0 && sb[0] == ' ') sb.Remove(0, 1);
        if (Normalizer.AddDummyPrefix && Normalizer.WhitespaceAsSuffix && sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        return sb.ToString();
    }
}
