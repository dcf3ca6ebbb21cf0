using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A few epochs of mini-batch Adam before the full-batch solver. Full-batch L-BFGS spends
/// its first dozen passes over X getting to the neighbourhood that a couple of epochs of
/// mini-batch steps reach for the same reads of X; OWL-QN then finishes from there with its exact
/// treatment of λ1 and the held-out stopping rule. On EWT UPOS (45,506 words × 1,024 neurons)
/// three epochs of batch-512 Adam took OWL-QN from 19–25 iterations to 9–13.
/// λ1 enters Adam as its subgradient λ1·sign(W), λ2‖W‖_F as λ2·W/‖W‖; the bias is unpenalised.
/// Batches are taken in row order (as NeuroX's trainer does), so the result is deterministic —
/// and a run of consecutive batches on one holder of the rows can be stepped there
/// (<see cref="Steps"/>), the state travelling to the rows instead of each batch's gradient to the state.</summary>
internal static class AdamWarmUp
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    /// <summary>Where a run of consecutive batches from a batch start can be stepped elsewhere:
    /// the end of the run (a batch start past its last batch) and who steps it; null: step this batch here.</summary>
    public delegate (long End, Func<AdamState, AdamState> Step)? RemoteRuns(long first);

    public static void Run(SoftmaxObjective problem, float[] w, float[] b, ElasticNetOptions options,
        IProgress<ProgressReport>? progress, CancellationToken cancellation, RemoteRuns? remote = null)
    {
        var state = new AdamState(w, b);
        int batch = BatchRows(options);
        for (int epoch = 0; epoch < options.WarmUpEpochs; epoch++)
        {
            for (long lo = 0; lo < problem.Rows;)
            {
                cancellation.ThrowIfCancellationRequested();
                if (remote?.Invoke(lo) is { } run && run.End > lo)
                {
                    state.CopyFrom(run.Step(state));
                    lo = run.End;
                }
                else
                {
                    Step(problem, state, (int)lo, options);
                    lo += batch;
                }
            }
            progress?.Report(new ProgressReport("linear probe warm-up", epoch + 1, options.WarmUpEpochs, "epochs"));
        }
    }

    public static int BatchRows(ElasticNetOptions options) => Math.Max(1, options.WarmUpBatch);

    /// <summary>The batches starting at first, first + batch, … before end (and before the problem's last row).</summary>
    public static void Steps(SoftmaxObjective problem, AdamState state, long first, long end, ElasticNetOptions options, CancellationToken cancellation)
    {
        int batch = BatchRows(options);
        for (long lo = first; lo < end && lo < problem.Rows; lo += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            Step(problem, state, (int)lo, options);
        }
    }

    /// <summary>One Adam step on the batch at <paramref name="lo"/>.</summary>
    private static void Step(SoftmaxObjective problem, AdamState s, int lo, ElasticNetOptions options)
    {
        float[] w = s.W, b = s.B;
        int p = w.Length, n = p + b.Length;
        problem.BatchValueAndGradient(w, b, s.GradW, s.GradB, lo, BatchRows(options));
        double norm = SoftmaxObjective.Norm(w);
        s.Step++;
        double c1 = 1 - Math.Pow(Beta1, s.Step), c2 = 1 - Math.Pow(Beta2, s.Step);
        for (int k = 0; k < n; k++)
        {
            bool weight = k < p;
            double g = weight
                ? s.GradW[k] + options.L1 * Math.Sign(w[k]) + (norm > 0 ? options.L2 * w[k] / norm : 0)
                : s.GradB[k - p];
            s.M1[k] = Beta1 * s.M1[k] + (1 - Beta1) * g;
            s.M2[k] = Beta2 * s.M2[k] + (1 - Beta2) * g * g;
            float delta = (float)(options.WarmUpLearningRate * (s.M1[k] / c1) / (Math.Sqrt(s.M2[k] / c2) + Epsilon));
            if (weight) w[k] -= delta; else b[k - p] -= delta;
        }
    }
}

/// <summary>Adam's state between batches: the model, the two moment estimates and the step count
/// (all a holder needs to continue the warm-up where the last one stopped).</summary>
internal sealed class AdamState
{
    public float[] W { get; }
    public float[] B { get; }
    public double[] M1 { get; }
    public double[] M2 { get; }
    public int Step { get; set; }
    internal readonly float[] GradW, GradB;

    public AdamState(float[] w, float[] b, double[]? m1 = null, double[]? m2 = null, int step = 0)
    {
        int n = w.Length + b.Length;
        m1 ??= new double[n]; m2 ??= new double[n];
        if (m1.Length != n || m2.Length != n)
            throw new ArgumentException($"Adam moments of {m1.Length} and {m2.Length} values for {n} parameters");
        if (step < 0) throw new ArgumentException($"Adam step {step}");
        W = w; B = b; M1 = m1; M2 = m2; Step = step;
        GradW = new float[w.Length]; GradB = new float[b.Length];
    }

    /// <summary>Takes another state's values into this one's arrays (the caller's w and b).</summary>
    public void CopyFrom(AdamState other)
    {
        if (other.W.Length != W.Length || other.B.Length != B.Length)
            throw new InvalidDataException($"an Adam state of {other.W.Length} + {other.B.Length} parameters for a model of {W.Length} + {B.Length}");
        other.W.CopyTo(W, 0); other.B.CopyTo(B, 0); other.M1.CopyTo(M1, 0); other.M2.CopyTo(M2, 0);
        Step = other.Step;
    }
}
