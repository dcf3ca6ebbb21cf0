using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>The FFN activation functions and their derivatives.</summary>
public static class Activations
{
    private const float GeluC = 0.7978845608028654f; // sqrt(2/π)

    /// <summary>y ← act(x), vectorised in chunks (x and y may alias).</summary>
    public static void Forward(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (act)
        {
            case Activation.GeluNew:
                // 0.5·x·(1 + tanh u) = x·σ(2u): one fused pass with a vector exp
                Fused(x, y, -2f * GeluC, 0.044715f);
                break;
            case Activation.GeluErf:
                // 0.5·x·erfc(−x/√2), the complement taken directly so large negative x keep their relative precision
                for (int i = 0; i < x.Length; i++) { double v = x[i]; y[i] = (float)(0.5 * v * Erfc(-v * InvSqrt2)); }
                break;
            case Activation.Silu:
                Fused(x, y, -1f, 0f); // x·σ(x)
                break;
            case Activation.Relu:
                TensorPrimitives.Max(x, 0f, y);
                break;
        }
    }

    /// <summary>y = x / (1 + exp(k·(x + a·x³))): gelu_new with k = −2√(2/π), a = 0.044715; SiLU
    /// with k = −1, a = 0.</summary>
    private static void Fused(ReadOnlySpan<float> x, Span<float> y, float k, float a)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vk = Vector256.Create(k);
            var va = Vector256.Create(a);
            var one = Vector256<float>.One;
            for (; i <= x.Length - 8; i += 8)
            {
                var v = Vector256.Create(x.Slice(i, 8));
                var u = vk * (v + va * v * v * v);
                (v / (one + Vector256.Exp(u))).CopyTo(y.Slice(i, 8));
            }
        }
        for (; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v / (1f + MathF.Exp(k * (v + a * v * v * v)));
        }
    }

    /// <summary>act′(x).</summary>
    public static float Derivative(Activation act, float xf)
    {
        double x = xf;
        switch (act)
        {
            case Activation.GeluNew:
            {
                double c = Math.Sqrt(2 / Math.PI);
                double t = Math.Tanh(c * (x + 0.044715 * x * x * x));
                return (float)(0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x));
            }
            case Activation.GeluErf:
                return (float)(0.5 * (1 + Erf(x / Math.Sqrt(2))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI));
            case Activation.Silu:
            {
                double s = 1 / (1 + Math.Exp(-x));
                return (float)(s * (1 + x * (1 - s)));
            }
            default:
                return x > 0 ? 1f : 0f;
        }
    }

    /// <summary>act(x) for one value (the backward pass of gated units).</summary>
    public static float Value(Activation act, float xf)
    {
        Span<float> one = [xf];
        Forward(act, one, one);
        return one[0];
    }

    private const double InvSqrt2 = 0.70710678118654752;

    /// <summary>erfc(x) to a relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev
    /// fit, "erfcc"): one exp and a degree-9 polynomial. The series of <see cref="Erf"/> took a
    /// divide per term, up to 60 terms a value, and made BERT's GELU cost several times its GEMMs.</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>The error function (.NET has none): Maclaurin series below 2.5, the continued
    /// fraction of erfc above; about 1e-11 accurate, far below float precision.</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        double r;
        if (ax < 2.5)
        {
            // Maclaurin series: erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)).
            double sum = 0, term = ax;
            for (int n = 0; n < 200; n++)
            {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
                term *= -ax * ax / (n + 1);
            }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // Continued fraction for erfc (Lentz), converges fast for x ≥ 2.5.
            double f = ax, tiny = 1e-300, c = f, d = 0;
            for (int n = 1; n < 200; n++)
            {
                double an = n / 2.0;
                d = ax + an * d; d = Math.Abs(d) < tiny ? tiny : d; d = 1 / d;
                c = ax + an / c; c = Math.Abs(c) < tiny ? tiny : c;
                double delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
