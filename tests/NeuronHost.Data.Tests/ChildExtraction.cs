using System.Diagnostics;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

/// <summary>Entry point of this assembly when run as a program: "extract-child DIR" runs a slow
/// fake extraction into DIR so that a test can kill the process midway.</summary>
public static class ChildExtraction
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "extract-child")
        {
            var session = new FakeSession(width: 64) { BeforeForward = () => Thread.Sleep(40) };
            ExtractionJob.Run(session, Options(args[1]));
            return 0;
        }
        Console.Error.WriteLine("usage: extract-child DIR");
        return 2;
    }

    internal static ExtractionOptions Options(string dir)
    {
        var rng = new Random(21);
        string[] vocab = ["alpha", "be", "gamma", "delta", "epsilonic", "z", "theta", "iota"];
        var sentences = Enumerable.Range(0, 400).Select(s => CorpusSentence.FromWords($"k{s}",
            Enumerable.Range(0, rng.Next(3, 12)).Select(_ => new AnnotatedWord(vocab[rng.Next(vocab.Length)], Upos: "X")).ToArray())).ToArray();
        return new ExtractionOptions
        {
            Corpus = new Corpus("kill", "test", [], [new CorpusSplit("all", sentences)]),
            HookPoints = [HookPoints.MlpPost(0), HookPoints.MlpPost(1)],
            OutputDirectory = dir, BatchSize = 4, RowsPerShard = 64, Aggregation = WordAggregation.Mean,
        };
    }
}

public class KilledProcessTests
{
    [Fact]
    public void ExtractionKilledMidwayInAnotherProcessResumesByteIdentical()
    {
        var root = TestPaths.TempDir("kill");
        string oneShot = Path.Combine(root, "one-shot"), killed = Path.Combine(root, "killed");
        ExtractionJob.Run(new FakeSession(width: 64), ChildExtraction.Options(oneShot));
        int total = StoreManifest.Read(Path.Combine(oneShot, StoreManifest.FileName)).Shards.Count;

        var psi = new ProcessStartInfo("dotnet", ["exec", typeof(ChildExtraction).Assembly.Location, "extract-child", killed])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using (var child = Process.Start(psi)!)
        {
            string manifest = Path.Combine(killed, StoreManifest.FileName);
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                try { if (File.Exists(manifest) && StoreManifest.Read(manifest).Shards.Count >= 3) break; }
                catch (Exception e) when (e is IOException or StoreFormatException) { }
                Thread.Sleep(5);
            }
            // (stderr is read only after an exit: reading it earlier would wait for the child to end)
            if (child.HasExited) Assert.Fail("the child ended before it could be killed: " + child.StandardError.ReadToEnd());
            child.Kill(entireProcessTree: true); // SIGKILL: no cleanup runs
            child.WaitForExit();
        }
        var partial = StoreManifest.Read(Path.Combine(killed, StoreManifest.FileName));
        Assert.False(partial.Complete, $"complete after the kill: {partial.Shards.Count} shards of {total}");
        Assert.InRange(partial.Shards.Count, 3, total - 1);

        var resumed = ExtractionJob.Run(new FakeSession(width: 64), ChildExtraction.Options(killed));
        Assert.Equal(StoreOpenState.Resumed, resumed.State);
        var a = TestStores.Files(oneShot); var b = TestStores.Files(killed);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs");
        Directory.Delete(root, true);
    }
}
