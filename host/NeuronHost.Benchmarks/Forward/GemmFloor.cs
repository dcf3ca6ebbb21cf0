using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models;

namespace NeuronHost.Benchmarks.Forward;

/// <summary>The forward's limit at this BLAS: the weight products of one forward — every layer's
/// QKV, attention output, MLP up (and gate) and down projections, and the LM head at every
/// position — each as one OpenBLAS SGEMM of the same shape, nothing else. No forward can take
/// less with these products through this BLAS; attention scores, norms, activations and the
/// residual adds are left out (a few % of the FLOPs at 128 tokens). One weight buffer per shape
/// is reused across layers, so the weights are warmer in cache than in a real forward: the
/// floor errs low, never high.</summary>
public sealed class GemmFloor
{
    private readonly (int M, int N, int K, int Count)[] _shapes;
    private readonly float[] _a, _b, _c;

    public GemmFloor(TransformerConfig c, int tokens)
    {
        int up = c.Gated ? 2 * c.Ffn : c.Ffn;
        _shapes =
        [
            (tokens, c.QkvWidth, c.Hidden, c.Layers),
            (tokens, c.Hidden, c.QDim, c.Layers),
            (tokens, up, c.Hidden, c.Layers),
            (tokens, c.Hidden, c.Ffn, c.Layers),
            (tokens, c.Vocab, c.Hidden, 1),
        ];
        long a = _shapes.Max(s => (long)s.M * s.K), b = _shapes.Max(s => (long)s.K * s.N), cc = _shapes.Max(s => (long)s.M * s.N);
        _a = Filled(a, 1); _b = Filled(b, 2); _c = new float[checked((int)cc)];
        Flops = _shapes.Sum(s => 2.0 * s.M * s.N * s.K * s.Count);
    }

    /// <summary>Floating-point operations of the products (2·m·n·k each).</summary>
    public double Flops { get; }

    /// <summary>Seconds for all the products once.</summary>
    public double Seconds() => Harness.Rounds.Time(() =>
    {
        foreach (var (m, n, k, count) in _shapes)
            for (int i = 0; i < count; i++)
                Gemm.Sgemm(false, false, m, n, k, 1f, _a, k, _b, n, 0f, _c, n);
    });

    private static float[] Filled(long length, int seed)
    {
        var x = new float[checked((int)length)];
        var rng = new Random(seed);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5) * 0.04f;
        return x;
    }
}
