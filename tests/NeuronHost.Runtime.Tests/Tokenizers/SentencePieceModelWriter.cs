using Google.Protobuf;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Writes a SentencePiece ModelProto (the tokenizer.model format) for a Unigram vocabulary,
/// so that the library's SentencePieceTokenizer can be run on a vocabulary shipped another way.
/// Field numbers from sentencepiece_model.proto.</summary>
public static class SentencePieceModelWriter
{
    public const int Normal = 1, Unknown = 2, Control = 3;

    /// <param name="unknownId">the unknown piece; the three after it must be control pieces.</param>
    public static byte[] Unigram(IReadOnlyList<(string Piece, float Score, int Type)> pieces, int unknownId)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (piece, score, type) in pieces)
            WriteMessage(output, 1, o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(piece);
                o.WriteTag(2, WireFormat.WireType.Fixed32); o.WriteFloat(score);
                o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt32(type);
            });
        WriteMessage(output, 2, o => // TrainerSpec
        {
            o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt32(1); // model_type UNIGRAM
            o.WriteTag(40, WireFormat.WireType.Varint); o.WriteInt32(unknownId);
            // The library indexes the pieces with bos/eos/pad ids: point them at control pieces (never added here).
            o.WriteTag(41, WireFormat.WireType.Varint); o.WriteInt32(unknownId + 1);
            o.WriteTag(42, WireFormat.WireType.Varint); o.WriteInt32(unknownId + 2);
            o.WriteTag(43, WireFormat.WireType.Varint); o.WriteInt32(unknownId + 3);
        });
        WriteMessage(output, 3, o => // NormalizerSpec: identity, dummy prefix, spaces kept and escaped
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("identity");
            o.WriteTag(3, WireFormat.WireType.Varint); o.WriteBool(true);
            o.WriteTag(4, WireFormat.WireType.Varint); o.WriteBool(false);
            o.WriteTag(5, WireFormat.WireType.Varint); o.WriteBool(true);
        });
        output.Flush();
        return buffer.ToArray();
    }

    private static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> body)
    {
        using var inner = new MemoryStream();
        var o = new CodedOutputStream(inner);
        body(o);
        o.Flush();
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
    }
}
