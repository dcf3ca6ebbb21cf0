using NeuronHost.Cli;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>Builds, once per test run in one <c>dotnet build</c> outside the repository, a plugin
/// assembly of deliberately bad plugins (each class one way to fail: throwing in each kind, a
/// non-cooperative infinite loop, a stack overflow, Environment.Exit(3), a native crash, unbounded
/// allocation, NaN scores, duplicate / out-of-range / too few neurons, wrong or unknown
/// predictions; the same crashes in interventions) and one that works but prints 200,000 lines to stdout and logs through
/// context.Log; and extracts a small real store: gpt2-mini-brown's layer-1 FFN neurons on the
/// first 150 sentences of UD English-EWT dev.</summary>
public sealed class MisbehavingPluginsFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "neuronhost-misbehaving-" + Guid.NewGuid().ToString("N")[..8]);
    /// <summary>The plugins folder: Misbehaving/Misbehaving.dll.</summary>
    public string Plugins => Path.Combine(Root, "plugins");
    public string Store => Path.Combine(Root, "store");
    public string Conllu => Path.Combine(Root, "ewt-150.conllu");
    public const int Sentences = 150;
    public const int ChattyLines = 200_000;

    public MisbehavingPluginsFixture()
    {
        Directory.CreateDirectory(Root);
        var project = Path.Combine(Root, "src", "Misbehaving");
        Directory.CreateDirectory(project);
        string sdkDll = typeof(IPlugin).Assembly.Location;
        File.WriteAllText(Path.Combine(project, "Misbehaving.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EnableDynamicLoading>true</EnableDynamicLoading>
                <RunAnalyzers>false</RunAnalyzers>
                <DebugType>none</DebugType>
                <NoWarn>CS8321;CS0162</NoWarn>
              </PropertyGroup>
              <ItemGroup><Reference Include="NeuronHost.Sdk" HintPath="{sdkDll}" Private="false" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Misbehaving.cs"), Source);
        DotnetBuild.Run(project, "Misbehaving.csproj", "-c", "Release", "-o", Path.Combine(Plugins, "Misbehaving"));

        if (SharedAssets.Available)
        {
            WriteFirstSentences(SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu"), Conllu, Sentences);
            var err = new StringWriter();
            int code = CliApp.Run(["extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", Conllu, "--task", "upos",
                "--hooks", "blocks.1.mlp.hook_post", "--out", Store], Program.Commands, new StringWriter(), err, new CliContext { OnlyCommandLinePlugins = true });
            if (code != 0) throw new InvalidOperationException($"extract failed ({code}): {err}");
        }
    }

    private static void WriteFirstSentences(string from, string to, int count)
    {
        using var writer = new StreamWriter(to);
        int done = 0;
        foreach (var line in File.ReadLines(from))
        {
            writer.WriteLine(line);
            if (line.Length == 0 && ++done == count) break;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private const string Source = """
        using System.Runtime.InteropServices;
        using NeuronHost.Sdk;
        namespace Misbehaving;

        public abstract class BadRanking : IRankingMethod
        {
            protected abstract string Name { get; }
            public PluginInfo Info => new(Name, PluginKind.Ranking, "misbehaves on purpose", new Version(1, 0));
            public Ranking Rank(RankingRequest request, IPluginContext context) => Make(request.Data.Neurons, context);
            protected abstract Ranking Make(IReadOnlyList<NeuronRef> neurons, IPluginContext context);
            protected Ranking Descending(IReadOnlyList<NeuronRef> neurons) =>
                Ranking.FromScores(Name, neurons, Enumerable.Range(0, neurons.Count).Select(i => (double)(neurons.Count - i)).ToArray());
        }

        public sealed class Throwing : BadRanking
        {
            protected override string Name => "throwing-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) => throw new InvalidOperationException("ranking exploded on purpose");
        }

        public sealed class Hanging : BadRanking
        {
            public static volatile int Spins;
            protected override string Name => "hanging-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c)
            {
                c.Log.Info("spinning forever, ignoring cancellation");
                while (true) Spins++;
            }
        }

        public sealed class Overflowing : BadRanking
        {
            protected override string Name => "overflow-ranking";
            private static int Recurse(int depth) => Recurse(depth + 1) + 1;
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) { Recurse(0); return Descending(n); }
        }

        public sealed class Exiting : BadRanking
        {
            protected override string Name => "exit-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) { Environment.Exit(3); return Descending(n); }
        }

        public sealed class NativeCrash : BadRanking
        {
            // A write to address 16 inside native code: a real SIGSEGV the runtime cannot turn into an exception.
            [DllImport("libc")] private static extern IntPtr memset(IntPtr destination, int value, UIntPtr count);
            protected override string Name => "native-crash-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) { memset(16, 1, 8); return Descending(n); }
        }

        public sealed class Hog : BadRanking
        {
            protected override string Name => "hog-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c)
            {
                var hoard = new List<byte[]>();
                while (true) { var a = new byte[16 << 20]; a.AsSpan().Fill(1); hoard.Add(a); }
            }
        }

        public sealed class NaNScores : BadRanking
        {
            protected override string Name => "nan-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c)
            {
                var scores = Enumerable.Range(0, n.Count).Select(i => i == 3 ? double.NaN : (double)i).ToArray();
                return new Ranking(Name, Enumerable.Range(0, n.Count).Select(i => new RankedNeuron(i, n[i], scores[i])).ToArray());
            }
        }

        public sealed class Duplicates : BadRanking
        {
            protected override string Name => "duplicate-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) =>
                new(Name, Enumerable.Range(0, n.Count).Select(i => new RankedNeuron(7, n[7], n.Count - i)).ToArray());
        }

        public sealed class OutOfRange : BadRanking
        {
            protected override string Name => "out-of-range-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) =>
                new(Name, Enumerable.Range(0, n.Count).Select(i => new RankedNeuron(i + 5, new NeuronRef(n[0].HookPoint, i + 5), n.Count - i)).ToArray());
        }

        public sealed class Short : BadRanking
        {
            protected override string Name => "short-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c) =>
                new(Name, Descending(n).Order.Take(2).ToArray());
        }

        /// <summary>Works, but prints a lot and logs.</summary>
        public sealed class Chatty : BadRanking
        {
            protected override string Name => "chatty-ranking";
            protected override Ranking Make(IReadOnlyList<NeuronRef> n, IPluginContext c)
            {
                c.Log.Info("chatty says hello through context.Log");
                for (int i = 0; i < 200_000; i++) Console.WriteLine($"chatty line {i} {{not json");
                Console.Error.WriteLine("chatty also writes to stderr");
                return Descending(n);
            }
        }

        public abstract class BadProbe : IProbe
        {
            protected abstract string Name { get; }
            public PluginInfo Info => new(Name, PluginKind.Probe, "misbehaves on purpose", new Version(1, 0));
            public virtual ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) =>
                new Trained(columns, m => Predict(m.Rows));
            protected abstract int[] Predict(long rows);
            private sealed class Trained(IReadOnlyList<int> columns, Func<IActivationMatrix, int[]> predict) : ITrainedProbe
            {
                public IReadOnlyList<int> Columns => columns;
                public int[] Predict(IActivationMatrix activations) => predict(activations);
            }
        }

        public sealed class ThrowingProbe : BadProbe
        {
            protected override string Name => "throwing-probe";
            public override ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) =>
                throw new InvalidOperationException("probe exploded on purpose");
            protected override int[] Predict(long rows) => new int[rows];
        }

        public sealed class WrongLengthProbe : BadProbe
        {
            protected override string Name => "wrong-length-probe";
            protected override int[] Predict(long rows) => new int[rows + 1];
        }

        public sealed class UnknownClassProbe : BadProbe
        {
            protected override string Name => "unknown-class-probe";
            protected override int[] Predict(long rows) => Enumerable.Repeat(99, (int)rows).ToArray();
        }

        public abstract class BadIntervention : IIntervention
        {
            protected abstract string Name { get; }
            public PluginInfo Info => new(Name, PluginKind.Intervention, "misbehaves on purpose", new Version(1, 0));
            public InterventionReport Run(InterventionRequest request, IPluginContext context) => Make(request, context);
            protected abstract InterventionReport Make(InterventionRequest request, IPluginContext context);
            protected InterventionReport Empty() => new(Name, new Dictionary<string, double>(), []);
        }

        public sealed class ThrowingIntervention : BadIntervention
        {
            protected override string Name => "throwing-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c) =>
                throw new InvalidOperationException("intervention exploded on purpose");
        }

        public sealed class HangingIntervention : BadIntervention
        {
            public static volatile int Spins;
            protected override string Name => "hanging-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c)
            {
                c.Log.Info("intervention spinning forever, ignoring cancellation");
                while (true) Spins++;
            }
        }

        public sealed class OverflowingIntervention : BadIntervention
        {
            protected override string Name => "overflow-intervention";
            private static int Recurse(int depth) => Recurse(depth + 1) + 1;
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c) { Recurse(0); return Empty(); }
        }

        public sealed class ExitingIntervention : BadIntervention
        {
            protected override string Name => "exit-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c) { Environment.Exit(3); return Empty(); }
        }

        public sealed class NativeCrashIntervention : BadIntervention
        {
            [DllImport("libc")] private static extern IntPtr memset(IntPtr destination, int value, UIntPtr count);
            protected override string Name => "native-crash-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c) { memset(16, 1, 8); return Empty(); }
        }

        public sealed class HogIntervention : BadIntervention
        {
            protected override string Name => "hog-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c)
            {
                var hoard = new List<byte[]>();
                while (true) { var a = new byte[16 << 20]; a.AsSpan().Fill(1); hoard.Add(a); }
            }
        }

        /// <summary>Works: reports the accuracy of the probe it was given on the test split, the
        /// sentences and rankings it received and the model's vocabulary size, so a test can check
        /// that all of them reached the worker.</summary>
        public sealed class ProbeReadingIntervention : BadIntervention
        {
            protected override string Name => "probe-reading-intervention";
            protected override InterventionReport Make(InterventionRequest r, IPluginContext c)
            {
                var data = r.Data ?? throw new PluginInputException("no data");
                var split = data.Test ?? data.Dev ?? data.Train;
                double accuracy = r.Probe is null ? double.NaN : r.Probe.Evaluate(split, data.ClassNames).Accuracy;
                return new(Name, new Dictionary<string, double>
                {
                    ["probe_accuracy"] = accuracy, ["sentences"] = r.Sentences.Count, ["rankings"] = r.Rankings.Count,
                    ["vocab"] = r.Model.Info.VocabSize,
                }, [new ResultTable("first-words", ["sentence", "first word", "rank-1 neuron", "flag"],
                    r.Sentences.Take(3).Select((s, i) => (IReadOnlyList<object>)[i, s.Words[0].Form, r.Rankings[0].Order[0].Column, true]).ToList())]);
            }
        }
        """;
}

[CollectionDefinition(Name)]
public sealed class MisbehavingPluginsCollection : ICollectionFixture<MisbehavingPluginsFixture>
{
    public const string Name = "misbehaving plugins";
}
