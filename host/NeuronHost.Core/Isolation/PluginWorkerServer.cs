using System.IO.Pipes;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Plugins;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>The worker side (<c>neuronhost plugin-worker --pipe NAME</c>): connects to the host's
/// pipe, loads the one plugin it is told to run, maps the store, and answers requests until the
/// host closes the pipe. A plugin exception is sent back as a failure and the worker stays up;
/// anything worse ends the process, which the host sees and reports.</summary>
public static class PluginWorkerServer
{
    /// <param name="pipeName">the host's pipe</param>
    /// <param name="backend">the kernel backend the host will ask for: created while the worker
    /// waits for its plugin (a worker is often started ahead of need)</param>
    public static int Run(string pipeName, string? backend = null)
    {
        // Ctrl+C in a terminal reaches the whole process group; the host decides when we stop.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        WorkerTrace.MarkProcessStart();
        WorkerTrace.Mark("worker main");
        var early = backend is null ? null : Task.Run(() => NeuronHost.Kernels.KernelBackends.Create(backend).Kernels);
        using var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut);
        pipe.Connect(TimeSpan.FromSeconds(30));
        WorkerTrace.Mark("worker pipe connected");
        var channel = new WorkerChannel(pipe);
        var first = channel.Receive();
        if (first is not { Type: WorkerMessage.Setup } setupMessage) return 2;
        var setup = WorkerSetup.Read(setupMessage.Body);
        WorkerTrace.Mark("worker setup received");

        Session session;
        try { session = Session.Open(setup, channel, early is not null && setup.Backend == backend ? early : null); }
        catch (Exception e)
        {
            channel.Send(WorkerMessage.Failed, w => { w.Write(e.GetType().Name); w.Write(e.Message); });
            return 0;
        }
        using (session)
        using (var idle = new Timer(_ => Shrink(session), null, Timeout.Infinite, Timeout.Infinite))
        {
            channel.Send(WorkerMessage.Ready);
            WorkerTrace.Mark("worker ready sent");
            idle.Change(IdleShrinkAfter, Timeout.InfiniteTimeSpan);
            while (channel.Receive() is { } message)
            {
                idle.Change(Timeout.Infinite, Timeout.Infinite);
                WorkerTrace.Mark($"worker received {message.Type}");
                try { session.Handle(message.Type, message.Body); }
                catch (Exception e)
                {
                    var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
                    channel.Send(WorkerMessage.Failed, w => { w.Write(inner.GetType().Name); w.Write(inner.Message); });
                }
                WorkerTrace.Mark($"worker handled {message.Type}");
                CollectCallGarbage();
                idle.Change(IdleShrinkAfter, Timeout.InfiniteTimeSpan);
            }
        }
        return 0;
    }

    /// <summary>Garbage (or memory the GC holds committed) above which a finished call is collected
    /// before the next one starts.</summary>
    private const long CollectAboveBytes = 64L << 20;

    /// <summary>A call's big arrays — a probe's copy of its columns (420 MB for the demo's 3,072
    /// neurons × 34,000 training words) and the per-block row buffers of the store view it was
    /// gathered from — are garbage once the call has answered. The GC may leave them on the large
    /// object heap while the next call (the control probe, the next k) gathers its own copy (the
    /// demo's grid worker peaked at 2.2 GB that way), and even collected it keeps the freed regions
    /// committed: a worker that then waits — the grid's other probe while this one trains, a
    /// ranking kept for reuse — sat at its last call's peak (0.44 GB of RssAnon for the 300-sentence demo's
    /// idle Gaussian worker). An aggressive collection between calls frees the garbage and
    /// decommits what it held, at a cost of milliseconds (little survives a call). It runs at the
    /// same point of every run, not on a timer: where later arrays land must not depend on timing,
    /// because vectorised sums depend on their alignment in the last bits.</summary>
    private static void CollectCallGarbage()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) < CollectAboveBytes
            && GC.GetGCMemoryInfo().TotalCommittedBytes < CollectAboveBytes) return;
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        WorkerTrace.Mark("worker collected the call's garbage");
    }

    /// <summary>Quiet time after which a worker gives back the store pages it read.</summary>
    private static readonly TimeSpan IdleShrinkAfter = TimeSpan.FromMilliseconds(500);

    /// <summary>The store pages a worker read stay in its RSS (up to three 32 MB shards) while it
    /// waits; after <see cref="IdleShrinkAfter"/> without a request they are released (madvise;
    /// they come back from the page cache on the next read). This changes no value, so it may
    /// run on a timer; busy workers, whose next request follows at once, are not slowed.</summary>
    private static void Shrink(Session session)
    {
        WorkerTrace.Mark("worker idle: releasing store pages");
        session.ReleaseStorePages();
    }

    private sealed class Session : IDisposable
    {
        private readonly WorkerSetup setup;
        private readonly WorkerChannel channel;
        private readonly PluginCatalog catalog;
        private readonly ActivationStore store;
        private readonly IActivationMatrix?[] matrices;
        private readonly Dictionary<int, ProbingData> labelSets = [];
        private readonly Lazy<AnnotatedWord[]> storeWords;
        private readonly IPluginContext context;
        private readonly IModelSession? model;
        private ITrainedProbe? trained;
        private ITrainedProbe? interventionProbe;

        private Session(WorkerSetup setup, WorkerChannel channel, PluginCatalog catalog, ActivationStore store, IModelSession? model, IComputeKernels kernels)
        {
            this.model = model;
            this.setup = setup;
            this.channel = channel;
            this.catalog = catalog;
            this.store = store;
            storeWords = new(() => store.Tokens.Words);
            matrices = setup.SplitRows.Select((rows, i) => !setup.SplitPresent[i] ? null : rows is null ? (IActivationMatrix)store : store.SelectRows(rows)).ToArray();
            context = new PluginContext(kernels)
            {
                Progress = new CallbackProgress<ProgressReport>(p => channel.Send(WorkerMessage.Progress, w =>
                {
                    w.Write(p.Stage); w.Write(p.Done); w.Write(p.Total); w.Write(p.Unit ?? "");
                })),
                Log = new ChannelLog(channel),
                Seed = setup.Seed,
            };
        }

        public static Session Open(WorkerSetup setup, WorkerChannel channel, Task<IComputeKernels>? early)
        {
            var catalog = PluginCatalog.Load(setup.Folders);
            WorkerTrace.Mark("worker catalog loaded");
            ActivationStore? store = null;
            IModelSession? model = null;
            try
            {
                catalog.Get(setup.Plugin);
                if (setup.ProbePlugin.Length > 0) catalog.Get(setup.ProbePlugin);
                WorkerTrace.Mark("worker plugin found");
                // The host opened (and hashed) this store before sending it; hashing it again cost
                // every worker ~0.4 s per GB. Shard lengths are still checked.
                store = ActivationStore.Open(setup.StoreDirectory, verifyHashes: false);
                WorkerTrace.Mark("worker store opened");
                var kernels = early?.GetAwaiter().GetResult() ?? NeuronHost.Kernels.KernelBackends.Create(setup.Backend).Kernels;
                WorkerTrace.Mark("worker kernels ready");
                if (setup.ModelDirectory.Length > 0)
                {
                    // An intervention drives its own copy of the model, opened as the host opens it.
                    model = ModelOpener.Open(setup.ModelDirectory);
                    if (model is IEditBackend edits) edits.EditKernels = kernels;
                }
                return new Session(setup, channel, catalog, store, model, kernels);
            }
            catch
            {
                (model as IDisposable)?.Dispose();
                store?.Dispose();
                catalog.Dispose();
                throw;
            }
        }

        public void Handle(WorkerMessage type, BinaryReader body)
        {
            switch (type)
            {
                case WorkerMessage.Labels:
                    int id = body.ReadInt32();
                    string task = body.ReadString();
                    var classes = body.ReadStrings();
                    var labels = new int[3][];
                    for (int i = 0; i < 3; i++) labels[i] = body.ReadInts();
                    labelSets[id] = Data(task, classes, labels);
                    break;
                case WorkerMessage.Rank:
                    var ranker = catalog.Create<IRankingMethod>(setup.Plugin, setup.Parameters);
                    WorkerTrace.Mark("worker ranking created");
                    var ranking = ranker.Rank(new RankingRequest(labelSets[body.ReadInt32()]), context);
                    WorkerTrace.Mark("worker ranked");
                    channel.Send(WorkerMessage.Ranked, w =>
                    {
                        w.Write(ranking.Method ?? "");
                        w.Write(ranking.Order?.Count ?? 0);
                        foreach (var n in ranking.Order ?? [])
                        {
                            w.Write(n.Column); w.Write(n.Neuron.HookPoint ?? ""); w.Write(n.Neuron.Index); w.Write(n.Score);
                        }
                    });
                    break;
                case WorkerMessage.Train:
                    var data = labelSets[body.ReadInt32()];
                    var columns = body.ReadInts();
                    trained = null;
                    var probe = catalog.Create<IProbe>(setup.Plugin, setup.Parameters);
                    trained = probe.Train(data, columns, context);
                    channel.Send(WorkerMessage.Trained, w => w.Write(trained.Columns.ToArray()));
                    break;
                case WorkerMessage.Predict:
                    int split = body.ReadInt32();
                    var matrix = matrices[split] ?? throw new InvalidOperationException($"split {split} is absent");
                    var predictions = (trained ?? throw new InvalidOperationException("predict before train")).Predict(matrix);
                    channel.Send(WorkerMessage.Predicted, w => w.Write(predictions ?? []));
                    break;
                case WorkerMessage.TrainInterventionProbe:
                    var probeData = labelSets[body.ReadInt32()];
                    interventionProbe = null;
                    var allColumns = Enumerable.Range(0, probeData.Neurons.Count).ToArray();
                    interventionProbe = catalog.Create<IProbe>(setup.ProbePlugin, setup.ProbeParameters).Train(probeData, allColumns, context);
                    channel.Send(WorkerMessage.InterventionProbeTrained);
                    break;
                case WorkerMessage.Intervene:
                    var taskData = labelSets[body.ReadInt32()];
                    var (rankings, sentences, prompts, withProbe) = InterventionMessages.ReadRequest(body);
                    var request = new InterventionRequest(model ?? throw new InvalidOperationException("this worker has no model"))
                    {
                        Rankings = rankings, Data = taskData, Sentences = sentences, Prompts = prompts,
                        Probe = withProbe ? interventionProbe ?? throw new InvalidOperationException("the probe was not trained") : null,
                    };
                    var report = catalog.Create<IIntervention>(setup.Plugin, setup.Parameters).Run(request, context)
                        ?? throw new PluginInputException("returned no report (null)");
                    channel.Send(WorkerMessage.Intervened, w => InterventionMessages.WriteReport(w, report));
                    break;
                default:
                    throw new InvalidDataException($"unexpected request {type}");
            }
        }

        /// <summary>The splits as the host's <see cref="StoreTaskData"/> builds them, words and UPOS
        /// included from the store's tokens: without the word classes translation's q(z) fell back
        /// to every Number-bearing word instead of the nouns it edits.</summary>
        private ProbingData Data(string task, string[] classes, int[][] labels)
        {
            // Read from the store's token table only when a plugin first looks at them.
            DataSplit? Split(int i)
            {
                if (matrices[i] is not { } m) return null;
                var rows = setup.SplitRows[i];
                int count = checked((int)m.Rows);
                var splitWords = new Lazy<AnnotatedWord[]>(() => rows is null ? storeWords.Value : rows.Select(r => storeWords.Value[r]).ToArray());
                return new DataSplit(m, labels[i], new LazyList<string>(count, () => splitWords.Value.Select(w => w.Form).ToArray()))
                {
                    WordClasses = new LazyList<string>(count, () => splitWords.Value.Select(w => w.Upos).ToArray()),
                };
            }
            return new ProbingData(task, classes, Split(0)!, Split(1), Split(2));
        }

        // The idle timer's thread may release store pages while the pipe closes: never after unmapping.
        private readonly object mappingGate = new();
        private bool disposed;

        public void ReleaseStorePages()
        {
            lock (mappingGate) if (!disposed) store.ReleaseResident();
        }

        public void Dispose()
        {
            lock (mappingGate) disposed = true;
            (model as IDisposable)?.Dispose();
            store.Dispose();
            catalog.Dispose();
        }
    }

    private sealed class ChannelLog(WorkerChannel channel) : IPluginLog
    {
        public void Info(string message) => channel.Send(WorkerMessage.Log, w => { w.Write((byte)0); w.Write(message ?? ""); });
        public void Warn(string message) => channel.Send(WorkerMessage.Log, w => { w.Write((byte)1); w.Write(message ?? ""); });
    }
}
