using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Plugins.Linear;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>Real activations for the plugin tests: the FFN neurons of layers 1 and 3 of
/// gpt2-mini-brown over the first 700 / 250 / 250 sentences of UD English-EWT's train / dev / test,
/// extracted once into a folder every checkout shares (text input, UPOS labels).</summary>
internal static class EwtUposSlice
{
    public static string StoreDir { get; } = Path.Combine(Path.GetTempPath(), "neuronhost-plugins-tests", "ewt-upos-gpt2-mini-brown-text");

    /// <summary>Extracts the store if it is not there yet, and opens it.</summary>
    public static ActivationStore Open(IProgress<ProgressReport>? progress = null)
    {
        var full = Corpus.Load(SharedAssets.Corpus("ud-english-ewt"));
        CorpusSplit Slice(string name, int sentences) => new(name, full.Split(name)!.Sentences.Take(sentences).ToArray());
        var corpus = new Corpus("ewt-slice", full.Format, [], [Slice("train", 700), Slice("dev", 250), Slice("test", 250)]);
        string modelDir = SharedAssets.Model("gpt2-mini-brown");
        // test classes run in parallel: one extracts (or checks) the store while the others wait for its lock
        lock (Gate)
        {
            using (var session = ModelLoader.Load(modelDir, TokenizerLoader.TryLoad(modelDir)))
                ExtractionJob.Run(session, new ExtractionOptions
                {
                    Corpus = corpus, HookPoints = [HookPoints.MlpPost(1), HookPoints.MlpPost(3)], OutputDirectory = StoreDir,
                    Task = TaskSpec.Upos, ModelDirectory = modelDir,
                }, progress);
            return ActivationStore.Open(StoreDir);
        }
    }

    private static readonly object Gate = new();
    private static readonly Lazy<Layer1Upos> Layer1Rows = new(LoadLayer1);

    /// <summary>The UPOS task on this slice (classes of 20+ train words), over the layer-1 FFN
    /// neurons only: train rows and labels, and the dev split for early stopping.</summary>
    /// <remarks>Loaded once for all tests; callers must not modify the arrays.</remarks>
    public static Layer1Upos Layer1() => Layer1Rows.Value;

    private static Layer1Upos LoadLayer1()
    {
        using var store = Open();
        var data = StoreTaskData.Build(store, TaskSpec.Upos, new TaskOptions { MinCount = 20, Seed = 3 }).Data;
        var columns = Enumerable.Range(0, data.Neurons.Count).Where(j => data.Neurons[j].HookPoint == HookPoints.MlpPost(1)).ToArray();
        var dev = new EarlyStoppingSet(data.Dev!.Activations.GatherColumns(columns, default), (int)data.Dev.Activations.Rows, data.Dev.Labels.ToArray());
        return new Layer1Upos(data.Train.Activations.GatherColumns(columns, default), data.Train.Labels.ToArray(),
            (int)data.Train.Activations.Rows, columns.Length, data.ClassCount, dev);
    }
}

/// <summary>Train rows x [Rows, Features] and labels Y of <see cref="EwtUposSlice.Layer1"/>, and its dev split.</summary>
internal sealed record Layer1Upos(float[] X, int[] Y, int Rows, int Features, int Classes, EarlyStoppingSet Dev);
