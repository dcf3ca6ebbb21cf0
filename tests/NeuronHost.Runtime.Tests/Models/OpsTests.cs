using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Models.Ops;

namespace NeuronHost.Runtime.Tests.Models;

public sealed class OpsTests
{
    [Theory]
    // published values of erf (Abramowitz & Stegun table 7.1 / any CAS)
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-1.2, -0.9103139782296354)]
    [InlineData(2.5, 0.9995930479825550)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(5.0, 0.9999999999984626)]
    public void ErfMatchesPublishedValues(double x, double expected) =>
        Assert.Equal(expected, Activations.Erf(x), 10);

    [Theory]
    // published values of erfc = 1 − erf (A&S table 7.1 / any CAS); the fast form promises a relative error below 1.2e-7
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.1572992070502851)]
    [InlineData(-1.2, 1.9103139782296354)]
    [InlineData(3.0, 2.209049699858544e-5)]
    [InlineData(5.0, 1.5374597944280349e-12)]
    [InlineData(-5.0, 1.9999999999984626)]
    public void ErfcMatchesPublishedValuesToItsStatedPrecision(double x, double expected) =>
        Assert.True(Math.Abs(Activations.Erfc(x) - expected) <= 1.2e-7 * expected, $"erfc({x}) = {Activations.Erfc(x):R}, published {expected:R}");

    [Theory]
    [InlineData(Activation.GeluNew)]
    [InlineData(Activation.GeluErf)]
    [InlineData(Activation.Silu)]
    public void ActivationsMatchClosedFormsAndDerivativesMatchDifferences(Activation act)
    {
        float[] xs = [-6f, -2.5f, -1f, -0.3f, 0f, 0.2f, 0.9f, 1.7f, 3f, 8f, -0.05f];
        var y = new float[xs.Length];
        Activations.Forward(act, xs, y);
        for (int i = 0; i < xs.Length; i++)
        {
            double x = xs[i];
            double expected = act switch
            {
                Activation.GeluNew => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
                Activation.GeluErf => 0.5 * x * (1 + Activations.Erf(x / Math.Sqrt(2))),
                _ => x / (1 + Math.Exp(-x)),
            };
            Assert.Equal(expected, y[i], 5);
            double h = 1e-3;
            float[] pm = [(float)(x + h), (float)(x - h)], out2 = new float[2];
            Activations.Forward(act, pm, out2);
            double numeric = (out2[0] - out2[1]) / (pm[0] - pm[1]);
            Assert.Equal(numeric, Activations.Derivative(act, xs[i]), 3);
        }
    }

    [Fact]
    public void RopeInverseUndoesTheRotationAndPositionZeroIsIdentity()
    {
        var rope = new Rope(8, 64, 10000);
        rope.Reserve(64);
        var rng = new Random(2);
        var v = Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble()).ToArray();
        var w = (float[])v.Clone();
        rope.Apply(w, 2, 0);
        Assert.Equal(v, w);
        rope.Apply(w, 2, 37);
        Assert.NotEqual(v, w);
        // a rotation keeps the norm of every pair
        Assert.Equal(v[0] * v[0] + v[4] * v[4], w[0] * w[0] + w[4] * w[4], 5);
        rope.Apply(w, 2, 37, inverse: true);
        for (int i = 0; i < v.Length; i++) Assert.Equal(v[i], w[i], 5);
    }
}
