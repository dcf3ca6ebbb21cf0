namespace NeuronHost.Runtime.Models.Ops;

/// <summary>Rotary position embedding in the rotate-half convention (Hugging Face Llama): the
/// pair (i, i + d/2) of each head turns by pos·θ^(−2i/d).</summary>
public sealed class Rope
{
    private readonly float[] cos, sin;
    public int HeadDim { get; }
    public int MaxPositions { get; }

    public Rope(int headDim, int maxPositions, double theta)
    {
        HeadDim = headDim; MaxPositions = maxPositions;
        int half = headDim / 2;
        cos = new float[maxPositions * half];
        sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++)
            for (int i = 0; i < half; i++)
            {
                double angle = p * Math.Pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }
    }

    /// <summary>Rotates <paramref name="heads"/> consecutive heads of one row at position
    /// <paramref name="pos"/>; <paramref name="inverse"/> applies the transpose (for gradients).</summary>
    public void Apply(Span<float> row, int heads, int pos, bool inverse = false)
    {
        int half = HeadDim / 2;
        var c = cos.AsSpan(pos * half, half);
        var s = sin.AsSpan(pos * half, half);
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
