using NeuronHost.Sdk;

namespace MyProbe;

/// <summary>An example probe plugin: a nearest-centroid classifier. Training averages each
/// class's activations over the chosen neurons; a token is predicted as the class whose mean is
/// closest (Euclidean). Rename the class and the plugin name, and write your own Train.</summary>
public sealed class CentroidProbe : IProbe
{
    public PluginInfo Info { get; } = new("myprobe-centroid", PluginKind.Probe,
        "Nearest class centroid on the chosen neurons (Euclidean distance)", new Version(1, 0, 0));

    [PluginParameter("Divide each neuron by its training standard deviation before measuring distances")]
    public bool Standardize { get; set; } = true;

    // The host trains the probe on subsets of a ranking (top k, random k, bottom k, …): data holds
    // EVERY neuron, and `columns` says which ones this probe may use.
    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context)
    {
        if (columns.Count == 0) throw new PluginInputException("no neurons to train on");
        int classes = data.ClassCount, d = columns.Count;
        var x = data.Train.Activations.GatherColumns(columns, context.Cancellation); // [rows, d]
        var labels = data.Train.Labels.Span;
        var sums = new double[classes * d];
        var counts = new long[classes];
        var mean = new double[d];
        var meanSquare = new double[d];
        for (int r = 0; r < labels.Length; r++)
        {
            int y = labels[r];
            if (y < 0) continue; // a token without a class
            counts[y]++;
            for (int j = 0; j < d; j++)
            {
                double v = x[(long)r * d + j];
                sums[y * d + j] += v;
                mean[j] += v;
                meanSquare[j] += v * v;
            }
        }
        long n = counts.Sum();
        if (n == 0) throw new PluginInputException("the training split has no labelled tokens");
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            double variance = meanSquare[j] / n - (mean[j] / n) * (mean[j] / n);
            scale[j] = Standardize && variance > 1e-12 ? 1 / Math.Sqrt(variance) : 1;
        }
        var centroids = new double[classes * d];
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < d; j++)
                centroids[c * d + j] = counts[c] == 0 ? double.NaN : sums[c * d + j] / counts[c] * scale[j];
        context.Log.Info($"centroids of {counts.Count(c => c > 0)} classes on {d} neurons");
        return new Trained(columns.ToArray(), centroids, scale, classes);
    }

    private sealed class Trained(int[] columns, double[] centroids, double[] scale, int classes) : ITrainedProbe
    {
        public IReadOnlyList<int> Columns => columns;

        // The host passes the FULL matrix (every neuron): pick this probe's columns first.
        public int[] Predict(IActivationMatrix activations)
        {
            int d = columns.Length;
            var x = activations.GatherColumns(columns);
            var predicted = new int[activations.Rows];
            for (long r = 0; r < activations.Rows; r++)
            {
                int best = 0;
                double bestDistance = double.PositiveInfinity;
                for (int c = 0; c < classes; c++)
                {
                    if (double.IsNaN(centroids[c * d])) continue; // a class never seen in training
                    double distance = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double diff = x[r * d + j] * scale[j] - centroids[c * d + j];
                        distance += diff * diff;
                    }
                    if (distance < bestDistance) { bestDistance = distance; best = c; }
                }
                predicted[r] = best;
            }
            return predicted;
        }
    }
}
