namespace NeuronHost.Runtime.Models.Ops;

/// <summary>Rotary position embedding in the rotate-half convention (Hugging Face Llama): the
/// pair (i, i + d/2) of each head turns by pos·θ^(−2i/d). The cos/sin table grows on demand
/// (a 128k-context config would otherwise cost tens of MB up front).</summary>
public sealed class Rope(int headDim, int maxPositions, double theta)
{
    private sealed record Table(int Positions, float[] Cos, float[] Sin);
    private Table table = new(0, [], []);
    private readonly Lock growing = new();

    public int HeadDim { get; } = headDim;
    public int MaxPositions { get; } = maxPositions;

    /// <summary>Makes positions [0, length) available; call before <see cref="Apply"/>.</summary>
    public void Reserve(int length)
    {
        if (length <= table.Positions) return;
        lock (growing)
        {
            if (length <= table.Positions) return;
            int n = Math.Min(MaxPositions, Math.Max(length, Math.Min(MaxPositions, Math.Max(512, table.Positions * 2))));
            int half = HeadDim / 2;
            var cos = new float[n * half];
            var sin = new float[n * half];
            for (int p = 0; p < n; p++)
                for (int i = 0; i < half; i++)
                {
                    double angle = p * Math.Pow(theta, -2.0 * i / HeadDim);
                    cos[p * half + i] = (float)Math.Cos(angle);
                    sin[p * half + i] = (float)Math.Sin(angle);
                }
            table = new Table(n, cos, sin);
        }
    }

    /// <summary>Rotates <paramref name="heads"/> consecutive heads of one row at position
    /// <paramref name="pos"/>; <paramref name="inverse"/> applies the transpose (for gradients).</summary>
    public void Apply(Span<float> row, int heads, int pos, bool inverse = false)
    {
        int half = HeadDim / 2;
        var t = table;
        var c = t.Cos.AsSpan(pos * half, half);
        var s = t.Sin.AsSpan(pos * half, half);
        for (int h = 0; h < heads; h++)
        {
            var v = row.Slice(h * HeadDim, HeadDim);
            for (int i = 0; i < half; i++)
            {
                float a = v[i], b = v[i + half], sn = inverse ? -s[i] : s[i];
                v[i] = a * c[i] - b * sn;
                v[i + half] = b * c[i] + a * sn;
            }
        }
    }
}
