using NeuronHost.Sdk;

namespace MyRanking;

/// <summary>An example ranking plugin: neurons whose activation varies most over the training
/// tokens come first. Rename the class and the plugin name, and write your own Rank.</summary>
public sealed class VarianceRanking : IRankingMethod
{
    // The name users type (unique among all loaded plugins), kind, one-line description, version.
    public PluginInfo Info { get; } = new("myranking-variance", PluginKind.Ranking,
        "Neurons ordered by the variance of their activation over the training tokens",
        new Version(1, 0, 0));

    // A parameter: 'neuronhost plugins show myranking-variance' lists it as 'center'; in an
    // analysis YAML it is set with `parameters: { center: false }`.
    [PluginParameter("Subtract each neuron's mean first (variance); false ranks by the mean square")]
    public bool Center { get; set; } = true;

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var x = request.Data.Train.Activations;
        if (x.Rows == 0) throw new PluginInputException("the training split has no tokens");
        var sum = new double[x.Columns];
        var sumOfSquares = new double[x.Columns];
        // Activations may be larger than memory: read them block by block.
        for (int b = 0; b < x.BlockCount; b++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var block = x.GetBlock(b);
            for (int r = 0; r < block.Rows; r++)
            {
                var row = block.Row(r);
                for (int j = 0; j < row.Length; j++)
                {
                    sum[j] += row[j];
                    sumOfSquares[j] += (double)row[j] * row[j];
                }
            }
            context.Progress.Report(new ProgressReport("variance", block.FirstRow + block.Rows, x.Rows, "tokens"));
        }
        var scores = new double[x.Columns];
        for (int j = 0; j < scores.Length; j++)
        {
            double mean = sum[j] / x.Rows, meanSquare = sumOfSquares[j] / x.Rows;
            scores[j] = Center ? meanSquare - mean * mean : meanSquare;
        }
        // Best first; ties keep column order.
        return Ranking.FromScores(Info.Name, x.Neurons, scores);
    }
}
