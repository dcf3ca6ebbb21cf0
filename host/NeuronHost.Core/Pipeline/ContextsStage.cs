using NeuronHost.Core.Reports;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>For the top neurons of every ranking: the words of the corpus that activate them
/// most, with a few words of context either side.</summary>
public sealed class ContextsStage : IPipelineStage
{
    private const int ExamplesPerNeuron = 4;
    private const int ContextWords = 5;

    public string Name => "max-activating contexts";

    public bool Applies(PipelineState s) => s.Config.TopContexts > 0 && s.Results.Rankings.Count > 0;

    public void Run(PipelineState s)
    {
        var store = s.Need(s.Store, "the activation store");
        var tokens = store.Tokens;
        var spec = TaskSpec.Parse(s.Config.Task.Name);
        var picks = s.Results.Rankings.SelectMany(r => r.Neurons.Take(s.Config.TopContexts).Select(n => (Ranking: r.Name, Neuron: n))).ToList();
        var columns = picks.Select(p => p.Neuron.Column).Distinct().ToArray();
        s.Progress.Report(new ProgressReport(Name, 0, columns.Length, "neurons"));
        var data = store.GatherColumns(columns, s.Cancellation);
        var matrix = new DenseActivationMatrix(data, (int)store.Rows, columns.Length);
        var top = s.Kernels.TopActivatingRows(matrix, ExamplesPerNeuron, s.Cancellation);
        foreach (var (ranking, n) in picks)
        {
            int j = Array.IndexOf(columns, n.Column);
            var item = new NeuronContexts { Ranking = ranking, Rank = n.Rank, HookPoint = n.HookPoint, Index = n.Index, Layer = n.Layer, Score = n.Score };
            for (int i = 0; i < top.K; i++)
            {
                long row = top.Rows[j * top.K + i];
                if (row < 0) continue;
                item.Examples.Add(Example(tokens, spec, row, top.Values[j * top.K + i]));
            }
            s.Results.TopNeuronContexts.Add(item);
        }
        s.Progress.Report(new ProgressReport(Name, columns.Length, columns.Length, "neurons"));
    }

    private static ActivatingContext Example(TokenTable t, TaskSpec spec, long row, float value)
    {
        int sentence = t.RowSentence[row];
        var left = new List<string>();
        for (long r = row - 1; r >= 0 && row - r <= ContextWords && t.RowSentence[r] == sentence; r--) left.Insert(0, t.Words[r].Form);
        var right = new List<string>();
        for (long r = row + 1; r < t.Rows && r - row <= ContextWords && t.RowSentence[r] == sentence; r++) right.Add(t.Words[r].Form);
        return new ActivatingContext
        {
            Activation = value, Word = t.Words[row].Form, Left = string.Join(' ', left), Right = string.Join(' ', right),
            Label = spec.LabelOf(t.Words[row]),
        };
    }
}
