using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuronHost.Core.Isolation;

/// <summary>What host and worker say to each other. Requests go host → worker, the rest back.</summary>
internal enum WorkerMessage : byte
{
    Setup = 1, Labels = 2, Rank = 3, Train = 4, Predict = 5, TrainInterventionProbe = 6, Intervene = 7,
    Ready = 20, Log = 21, Progress = 22, Ranked = 23, Trained = 24, Predicted = 25, Failed = 26,
    InterventionProbeTrained = 27, Intervened = 28,
}

/// <summary>Length-prefixed messages over a pipe: int32 little-endian length of what follows, one
/// type byte, then the body written with <see cref="BinaryWriter"/>. Reads are bounded, so a
/// garbled or hostile peer gives an error rather than a huge allocation.</summary>
internal sealed class WorkerChannel(Stream stream)
{
    public const int MaxMessageBytes = 1 << 30;
    private readonly object writeGate = new();

    public void Send(WorkerMessage type, Action<BinaryWriter>? body = null)
    {
        var buffer = new MemoryStream();
        buffer.Write(new byte[5]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) body?.Invoke(writer);
        var bytes = buffer.GetBuffer();
        BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)buffer.Length - 4);
        bytes[4] = (byte)type;
        lock (writeGate)
        {
            stream.Write(bytes, 0, (int)buffer.Length);
            stream.Flush();
        }
    }

    /// <summary>The next message, or null at the end of the stream (the peer is gone).</summary>
    public (WorkerMessage Type, BinaryReader Body)? Receive()
    {
        var header = new byte[5];
        if (!ReadExactly(header, 0, 5)) return null;
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 1 || length > MaxMessageBytes) throw new InvalidDataException($"worker message of {length} bytes");
        var body = new byte[length - 1];
        if (!ReadExactly(body, 0, body.Length)) return null;
        return ((WorkerMessage)header[4], new BinaryReader(new MemoryStream(body), Encoding.UTF8));
    }

    private bool ReadExactly(byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            int n = stream.Read(buffer, offset, count);
            if (n == 0) return false;
            offset += n; count -= n;
        }
        return true;
    }
}

internal static class BinaryArrays
{
    // Arrays go as one block of little-endian bytes: a split's labels and store rows (200,000+
    // values for EWT) written or read one value at a time cost a reused worker's call ~20-40 ms.
    public static void Write(this BinaryWriter w, ReadOnlySpan<int> values)
    {
        w.Write(values.Length);
        if (BitConverter.IsLittleEndian) w.Write(MemoryMarshal.AsBytes(values));
        else foreach (int v in values) w.Write(v);
    }

    public static void Write(this BinaryWriter w, long[]? values)
    {
        w.Write(values?.Length ?? -1);
        if (values is null) return;
        if (BitConverter.IsLittleEndian) w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        else foreach (long v in values) w.Write(v);
    }

    public static void WriteStrings(this BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var v in values) w.Write(v);
    }

    public static int[] ReadInts(this BinaryReader r)
    {
        int n = Count(r);
        var a = new int[n];
        if (BitConverter.IsLittleEndian) ReadExactly(r, MemoryMarshal.AsBytes(a.AsSpan()));
        else for (int i = 0; i < n; i++) a[i] = r.ReadInt32();
        return a;
    }

    public static long[]? ReadLongsOrNull(this BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n == -1) return null;
        if (n < 0 || n > r.BaseStream.Length / 8) throw new InvalidDataException($"bad array length {n}");
        var a = new long[n];
        if (BitConverter.IsLittleEndian) ReadExactly(r, MemoryMarshal.AsBytes(a.AsSpan()));
        else for (int i = 0; i < n; i++) a[i] = r.ReadInt64();
        return a;
    }

    private static void ReadExactly(BinaryReader r, Span<byte> into)
    {
        while (into.Length > 0)
        {
            int n = r.Read(into);
            if (n == 0) throw new EndOfStreamException("worker message ends inside an array");
            into = into[n..];
        }
    }

    public static string[] ReadStrings(this BinaryReader r)
    {
        int n = Count(r);
        var a = new string[n];
        for (int i = 0; i < n; i++) a[i] = r.ReadString();
        return a;
    }

    /// <summary>An element count that cannot exceed the bytes of the message (a hostile peer gets an error, not a huge allocation).</summary>
    public static int Count(this BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > r.BaseStream.Length) throw new InvalidDataException($"bad array length {n}");
        return n;
    }
}
