using System.Runtime.InteropServices;

namespace NeuronHost.Plugins.Linear;

/// <summary>The linear probe's messages between the coordinator and the holders of train rows
/// (<see cref="RemoteProbeRows"/> → <see cref="LinearHeldRowsService"/>): an operation byte, then
/// its arguments little-endian. Read as hostile: a short or long message is refused, naming who sent it.</summary>
internal enum HeldRowsOp : byte
{
    /// <summary>(first, end) → the rows' float32 values, then their int32 labels.</summary>
    Rows = 1,
    /// <summary>(first, count, values, labels): rows of another holder that this one sums.</summary>
    Receive = 2,
    /// <summary>(ranges): the rows this holder sums, from what it has and what it received.</summary>
    Build = 3,
    ClassCounts = 4,
    RowValues = 5,
    MomentChunks = 6,
    CheckFinite = 7,
    Prepare = 8,
    Pass = 9,
    Batch = 10,
    /// <summary>(first, end, Adam state) → the state after the warm-up's batches from first to end, all in this holder's rows.</summary>
    WarmUp = 11,
    /// <summary>Probe: (columns) → nothing; the holder gathers these columns of its train, dev and
    /// test rows, and the training ops above then run over its train rows' columns.</summary>
    Select = 12,
    /// <summary>Probe: (split, mean, wT, bias) → rows of the split predicted right, labelled rows.</summary>
    Count = 13,
    /// <summary>Probe: (held-out split, mean, wT, bias) → per split (train, dev, test) rows right and
    /// rows; then the held-out split's parts, each (first row, rows, one bit per row: right).</summary>
    Score = 14,
}

internal sealed class MessageWriter
{
    private readonly MemoryStream stream = new();
    private readonly BinaryWriter writer;

    public MessageWriter(HeldRowsOp? op = null)
    {
        writer = new BinaryWriter(stream);
        if (op is { } o) writer.Write((byte)o);
    }

    public MessageWriter Long(long v) { writer.Write(v); return this; }
    public MessageWriter Int(int v) { writer.Write(v); return this; }
    public MessageWriter Double(double v) { writer.Write(v); return this; }
    public MessageWriter Bool(bool v) { writer.Write(v); return this; }
    public MessageWriter Floats(ReadOnlySpan<float> v) { writer.Write(v.Length); writer.Write(MemoryMarshal.AsBytes(v)); return this; }
    public MessageWriter Doubles(ReadOnlySpan<double> v) { writer.Write(v.Length); writer.Write(MemoryMarshal.AsBytes(v)); return this; }
    public MessageWriter Ints(ReadOnlySpan<int> v) { writer.Write(v.Length); writer.Write(MemoryMarshal.AsBytes(v)); return this; }
    public MessageWriter Bytes(ReadOnlySpan<byte> v) { writer.Write(v.Length); writer.Write(v); return this; }
    public MessageWriter Adam(AdamState s) => Floats(s.W).Floats(s.B).Doubles(s.M1).Doubles(s.M2).Int(s.Step);
    public byte[] ToArray() { writer.Flush(); return stream.ToArray(); }
}

internal sealed class MessageReader(byte[] bytes, string sender)
{
    private int at;

    public HeldRowsOp Op() => (HeldRowsOp)Take(1)[0];
    public long Long() => BitConverter.ToInt64(Take(8));
    public int Int() => BitConverter.ToInt32(Take(4));
    public double Double() => BitConverter.ToDouble(Take(8));
    public bool Bool() => Take(1)[0] != 0;
    public float[] Floats(long? expected = null) => MemoryMarshal.Cast<byte, float>(Take(Count(expected, 4) * 4)).ToArray();
    public double[] Doubles(long? expected = null) => MemoryMarshal.Cast<byte, double>(Take(Count(expected, 8) * 8)).ToArray();
    public int[] Ints(long? expected = null) => MemoryMarshal.Cast<byte, int>(Take(Count(expected, 4) * 4)).ToArray();
    public byte[] Bytes() => Take(Count(null, 1)).ToArray();

    /// <summary>An Adam state of a model of classes × features weights and classes biases.</summary>
    public AdamState Adam(int classes, int features)
    {
        long n = (long)classes * features + classes;
        var w = Floats((long)classes * features); var b = Floats(classes);
        var m1 = Doubles(n); var m2 = Doubles(n);
        int step = Int();
        if (step < 0) throw new InvalidDataException($"{sender}: Adam step {step}");
        return new AdamState(w, b, m1, m2, step);
    }

    /// <summary>Refuses bytes left over: a message of another layout.</summary>
    public void End()
    {
        if (at != bytes.Length) throw new InvalidDataException($"{sender}: {bytes.Length - at} bytes after the end of the message");
    }

    private int Count(long? expected, int size)
    {
        int n = Int();
        if (n < 0 || (long)n * size > bytes.Length - at || (expected is { } e && n != e))
            throw new InvalidDataException($"{sender}: a list of {n} values where {(expected is { } x ? x.ToString() : "fewer")} fit the message");
        return n;
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > bytes.Length - at) throw new InvalidDataException($"{sender}: the message ends after {bytes.Length} bytes, {n} more were expected");
        var span = bytes.AsSpan(at, n);
        at += n;
        return span;
    }
}
