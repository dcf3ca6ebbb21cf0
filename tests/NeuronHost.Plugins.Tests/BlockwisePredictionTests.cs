using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

/// <summary>The linear probe predicts one block of rows at a time (so a split is never copied
/// whole); the classes must be those of the model's own formula, argmax_c b_c + Σ_j W_jc·(x_j −
/// mean_j)/std_j, computed here in double on the full matrix, whatever the block size.</summary>
public sealed class BlockwisePredictionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Predictions_by_block_equal_the_model_formula_on_the_whole_matrix(int rowsPerBlock)
    {
        const int rows = 300, features = 12, classes = 4;
        var (x, y) = TestData.Generate(rows, features, classes, seed: 11);
        int[] columns = [9, 2, 5, 0, 7];   // a subset, out of order, as a ranking hands it over
        var probe = new LinearProbe { MaxIterations = 50, EarlyStoppingPatience = 0 };
        var train = new DenseActivationMatrix(x, rows, features, rowsPerBlock: rowsPerBlock);
        var data = new ProbingData("t", Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), new DataSplit(train, y));
        var trained = probe.Train(data, columns, new PluginContext(new CpuKernels()));
        var model = (SoftmaxModel)trained.GetType().GetProperty("Model")!.GetValue(trained)!;

        var predicted = trained.Predict(train);
        int differ = 0;
        for (int i = 0; i < rows; i++)
        {
            int best = 0; double bestValue = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double z = model.Bias[c];
                for (int j = 0; j < columns.Length; j++)
                    z += model.Weight(j, c) * ((double)x[i * features + columns[j]] - model.Mean[j]) * model.InvStd[j];
                if (z > bestValue) { bestValue = z; best = c; }
            }
            if (best != predicted[i]) differ++;
        }
        // float GEMM on folded weights against the double formula: a near-tie may flip, nothing more.
        Assert.True(differ <= 1, $"{differ} of {rows} predictions differ from the formula (rows per block {rowsPerBlock})");
        Assert.True(predicted.Zip(y).Count(p => p.First == p.Second) > rows * 0.5, "the probe learned nothing: the comparison would be empty");
    }
}
