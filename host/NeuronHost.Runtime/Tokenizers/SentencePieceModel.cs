namespace NeuronHost.Runtime.Tokenizers;

/// <summary>SentencePiece's piece types (ModelProto.SentencePiece.Type).</summary>
public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

public enum SentencePieceAlgorithm { Unigram = 1, Bpe = 2, Word = 3, Char = 4 }

public sealed record SentencePiece(string Piece, float Score, PieceType Type);

/// <summary>The parts of SentencePiece's ModelProto (tokenizer.model) that encoding needs:
/// the pieces, trainer_spec (algorithm, byte fallback, special ids) and normalizer_spec.</summary>
public sealed record SentencePieceModel(IReadOnlyList<SentencePiece> Pieces)
{
    public SentencePieceAlgorithm Algorithm { get; init; } = SentencePieceAlgorithm.Unigram;
    public bool ByteFallback { get; init; }
    public bool TreatWhitespaceAsSuffix { get; init; }
    public int UnknownId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    public string NormalizerName { get; init; } = "";
    public byte[] PrecompiledCharsMap { get; init; } = [];
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;

    public static SentencePieceModel Read(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new TokenizerFileException(path, e.Message, 0, e); }
        try { return Parse(data); }
        catch (FormatException e)
        { throw new TokenizerFileException(path, $"not a SentencePiece model (protobuf ModelProto): {e.Message}", 0, e); }
        catch (ArgumentException e)
        { throw new TokenizerFileException(path, $"not a SentencePiece model (protobuf ModelProto): {e.Message}", 0, e); }
    }

    /// <summary>Parses a serialised ModelProto; throws <see cref="FormatException"/> when it is not one.</summary>
    public static SentencePieceModel Parse(ReadOnlySpan<byte> data)
    {
        var pieces = new List<SentencePiece>();
        var model = new SentencePieceModel(pieces);
        var reader = new ProtobufReader(data);
        bool sawTrainer = false;
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field is 1 or 2 or 3 && wire != 2)
                throw new FormatException($"field {field} of ModelProto has wire type {wire}, expected a message");
            switch (field)
            {
                case 1:
                    var bytes = reader.ReadBytes(out int at);
                    pieces.Add(ParsePiece(bytes, at, pieces.Count));
                    break;
                case 2:
                    model = ParseTrainer(reader.ReadBytes(out int t), t, model);
                    sawTrainer = true;
                    break;
                case 3:
                    model = ParseNormalizer(reader.ReadBytes(out int n), n, model);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (pieces.Count == 0) throw new FormatException("it has no pieces");
        if (!sawTrainer && model.Algorithm == SentencePieceAlgorithm.Unigram && pieces.All(p => p.Score == 0))
            throw new FormatException("it has no trainer_spec and no piece scores");
        return model with { Pieces = pieces };
    }

    private static SentencePiece ParsePiece(ReadOnlySpan<byte> data, int offset, int index)
    {
        var r = new ProtobufReader(data, offset);
        string? piece = null; float score = 0; var type = PieceType.Normal;
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2) piece = r.ReadString();
            else if (field == 2 && wire == 5) score = r.ReadFloat();
            else if (field == 3 && wire == 0)
            {
                ulong t = r.ReadVarint();
                if (t is < 1 or > 6) throw new FormatException($"piece {index} has unknown type {t}");
                type = (PieceType)t;
            }
            else r.Skip(wire);
        }
        if (piece is null) throw new FormatException($"piece {index} (at byte {offset}) has no text");
        return new SentencePiece(piece, score, type);
    }

    private static SentencePieceModel ParseTrainer(ReadOnlySpan<byte> data, int offset, SentencePieceModel m)
    {
        var r = new ProtobufReader(data, offset);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (wire != 0) { r.Skip(wire); continue; }
            long v = (long)r.ReadVarint();
            int i32 = unchecked((int)v);
            m = field switch
            {
                3 => m with { Algorithm = v is >= 1 and <= 4 ? (SentencePieceAlgorithm)v : throw new FormatException($"unknown model_type {v}") },
                24 => m with { TreatWhitespaceAsSuffix = v != 0 },
                35 => m with { ByteFallback = v != 0 },
                40 => m with { UnknownId = i32 },
                41 => m with { BosId = i32 },
                42 => m with { EosId = i32 },
                43 => m with { PadId = i32 },
                _ => m,
            };
        }
        return m;
    }

    private static SentencePieceModel ParseNormalizer(ReadOnlySpan<byte> data, int offset, SentencePieceModel m)
    {
        var r = new ProtobufReader(data, offset);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2) m = m with { NormalizerName = r.ReadString() };
            else if (field == 2 && wire == 2) m = m with { PrecompiledCharsMap = r.ReadBytes(out _).ToArray() };
            else if (field is 3 or 4 or 5 && wire == 0)
            {
                bool b = r.ReadVarint() != 0;
                m = field switch
                {
                    3 => m with { AddDummyPrefix = b },
                    4 => m with { RemoveExtraWhitespaces = b },
                    _ => m with { EscapeWhitespaces = b },
                };
            }
            else r.Skip(wire);
        }
        return m;
    }
}
