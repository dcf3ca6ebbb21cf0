using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>The Linear ranking over train rows that stay with their holders, as a cluster runs it:
/// every exchange is bytes through <see cref="IRowHolders"/> (here an in-process stand-in that
/// counts them), each holder a <see cref="IHeldRowsService"/> made by the plugin.</summary>
public class HeldRowsRankingTests(ITestOutputHelper output)
{
    /// <summary>Real EWT rows (gpt2-mini-brown layer 1, UPOS) cut into 7 parts at sentence-like
    /// places off the grid and dealt to 3 holders, out of order (holder 0 has parts 0, 3 and 6) and
    /// in runs (holder 0 has parts 0–2, whose segments it sums as one run): the ranking from their
    /// answers is the local ranking — same neurons in the same order, same scores, same weights —
    /// to the bit.</summary>
    [SharedFact]
    public void The_linear_ranking_over_three_holders_of_real_rows_is_the_local_ranking_to_the_bit()
    {
        var (x, y, n, d, classes, _) = EwtUposSlice.Layer1();
        var neurons = Enumerable.Range(0, d).Select(i => new NeuronRef(HookPoints.MlpPost(1), i)).ToArray();
        var names = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray();
        var data = new ProbingData("upos", names, new DataSplit(new DenseActivationMatrix(x, n, neurons), y));
        var local = new LinearRanking { MaxIterations = 30 };
        var expected = local.Rank(new RankingRequest(data), new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels()));

        long[] cuts = [0, n / 9 + 17, n / 4 + 3, n / 3 + 250, n / 2 + 1, 2L * n / 3 + 77, 5L * n / 6 + 400, n];
        foreach (var (dealing, holderOf) in new (string, Func<int, int>)[] { ("out of order", p => p % 3), ("in runs", p => p < 3 ? 0 : p < 5 ? 1 : 2) })
        {
            output.WriteLine($"parts dealt {dealing}:");
            HeldEqualsLocal(x, y, n, d, classes, names, neurons, cuts, holderOf, local, expected);
        }
    }

    private void HeldEqualsLocal(float[] x, int[] y, int n, int d, int classes, string[] names, NeuronRef[] neurons, long[] cuts, Func<int, int> holderOf,
        LinearRanking local, Ranking expected)
    {
        var task = new HeldRowsTask("upos", names, neurons, n);
        var parts = new List<HeldRowsPart>[3];
        var ranges = new List<(long, long)>[3];
        for (int h = 0; h < 3; h++) { parts[h] = []; ranges[h] = []; }
        for (int p = 0; p + 1 < cuts.Length; p++)
        {
            long first = cuts[p], end = cuts[p + 1];
            int rows = (int)(end - first);
            parts[holderOf(p)].Add(new HeldRowsPart(first, new DenseActivationMatrix(x.AsMemory((int)(first * d), rows * d), rows, neurons), y.AsMemory((int)first, rows)));
            ranges[holderOf(p)].Add((first, end));
        }
        var context = new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels());
        var services = parts.Select(p => new LinearHeldRowsService(new HeldRows(p, task), context)).ToArray();
        var holders = new InProcessHolders(services, ranges);
        var coordinator = new LinearRanking { MaxIterations = 30 };
        Assert.Null(coordinator.WhyRowsNeeded());
        var held = coordinator.RankOverHeldRows(task, holders, context);

        output.WriteLine($"{n:N0} rows × {d} × {classes}: {coordinator.Model!.Iterations} iterations, {holders.Calls} messages "
            + $"({string.Join(", ", holders.CallsByOp.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}), "
            + $"{holders.BytesSent:N0} bytes to the holders, {holders.BytesReceived:N0} from them (the rows are {(long)n * d * 4:N0})");
        Assert.Equal(local.Model!.Weights, coordinator.Model.Weights);
        Assert.Equal(local.Model.Bias, coordinator.Model.Bias);
        Assert.Equal(expected.Order.Select(r => r.Column), held.Order.Select(r => r.Column));
        Assert.Equal(expected.Order.Select(r => r.Score), held.Order.Select(r => r.Score));
        // the warm-up's 3 epochs × 32 batches go as runs to the holders: per epoch at most a run and a
        // lone batch (one across holders, or a run's single batch) per place where the owner changes,
        // and 7 parts give at most 7 owners in turn — not a round trip per batch
        int batches = 3 * (n + 511) / 512, warmUpMessages = holders.CallsByOp.GetValueOrDefault(HeldRowsOp.WarmUp) + holders.CallsByOp.GetValueOrDefault(HeldRowsOp.Batch);
        Assert.True(holders.CallsByOp.GetValueOrDefault(HeldRowsOp.WarmUp) > 0, "no warm-up run went to a holder");
        Assert.True(warmUpMessages <= 3 * 2 * 7, $"{warmUpMessages} warm-up messages for {batches} batches");
        // the sums grow with classes × neurons per pass, the rows with the rows: here (16k rows) the
        // ~30 full passes' 229 kB sums and the warm-up states stay below the rows
        Assert.True(holders.BytesReceived < (long)n * d * 4, "the holders sent more bytes than the rows");
    }

    [Fact]
    public void Search_and_the_neurox_trainer_say_they_need_the_rows()
    {
        Assert.Contains("search", new LinearRanking { Search = true }.WhyRowsNeeded());
        Assert.Contains("neurox-adam", new LinearRanking { Trainer = LinearTrainer.NeuroxAdam }.WhyRowsNeeded());
    }

    [Fact]
    public void A_message_cut_short_or_of_another_size_is_refused_naming_its_sender()
    {
        var neurons = Enumerable.Range(0, 4).Select(i => new NeuronRef("h", i)).ToArray();
        var task = new HeldRowsTask("t", ["a", "b"], neurons, 3);
        var service = new LinearHeldRowsService(new HeldRows([new HeldRowsPart(0, new DenseActivationMatrix(new float[12], 3, neurons), new[] { 0, 1, 0 })], task),
            new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels()));
        var rows = service.Answer(new MessageWriter(HeldRowsOp.Rows).Long(0).Long(3).ToArray(), default);
        Assert.Equal(4 + 12 * 4 + 4 + 3 * 4, rows.Length);
        Assert.Contains("the coordinator: the message ends", Assert.Throws<InvalidDataException>(() => service.Answer([(byte)HeldRowsOp.Rows, 1, 2], default)).Message);
        Assert.Contains("bytes after the end", Assert.Throws<InvalidDataException>(() => service.Answer([.. new MessageWriter(HeldRowsOp.Rows).Long(0).Long(3).ToArray(), 9], default)).Message);
        Assert.Contains("a list of 5 values where 4 fit", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.MomentChunks).Floats(new float[5]).ToArray(), default)).Message);
        Assert.Contains("unknown operation 200", Assert.Throws<InvalidDataException>(() => service.Answer([200], default)).Message);
        Assert.Contains("before it said which rows", Assert.Throws<InvalidOperationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.ClassCounts).Int(2).ToArray(), default)).Message);
        Assert.Contains("row 3 is missing", Assert.Throws<InvalidOperationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.Rows).Long(0).Long(5).ToArray(), default)).Message);
        var state = new AdamState(new float[8], new float[2]);
        Assert.Contains("warm-up steps before it prepared", Assert.Throws<InvalidOperationException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.WarmUp).Long(0).Long(3).Adam(state).ToArray(), default)).Message);
    }

    /// <summary>A warm-up run asked of a holder: a state for another model size, or batches whose
    /// rows it does not hold, is refused with one line, not stepped on other rows.</summary>
    [Fact]
    public void A_warm_up_run_of_another_model_or_over_rows_not_held_is_refused()
    {
        const int features = 4, rows = 1024;
        var neurons = Enumerable.Range(0, features).Select(i => new NeuronRef("h", i)).ToArray();
        var x = Enumerable.Range(0, rows * features).Select(i => (float)Math.Sin(i)).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => i % 2).ToArray();
        var task = new HeldRowsTask("t", ["a", "b"], neurons, 2 * rows);
        var service = new LinearHeldRowsService(new HeldRows([new HeldRowsPart(0, new DenseActivationMatrix(x, rows, neurons), y)], task),
            new PluginContext(new NeuronHost.Kernels.Cpu.CpuKernels()));
        service.Answer(new MessageWriter(HeldRowsOp.Build).Int(1).Long(0).Long(rows).ToArray(), default);
        service.Answer(new MessageWriter(HeldRowsOp.Prepare).Int(2).Int(2 * rows).Int(2 * rows).Floats(new float[features]).Floats(Enumerable.Repeat(1f, features).ToArray())
            .Bytes(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ElasticNetOptions())).ToArray(), default);
        var good = new AdamState(new float[2 * features], new float[2]);
        var stepped = new MessageReader(service.Answer(new MessageWriter(HeldRowsOp.WarmUp).Long(0).Long(rows).Adam(good).ToArray(), default), "holder").Adam(2, features);
        Assert.Equal(2, stepped.Step);
        Assert.Contains("a list of 12 values where 8 fit", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.WarmUp).Long(0).Long(rows).Adam(new AdamState(new float[12], new float[2])).ToArray(), default)).Message);
        Assert.Contains("row 1024 is not held here", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.WarmUp).Long(512).Long(1536).Adam(good).ToArray(), default)).Message);
        Assert.Contains("not whole batches of 512", Assert.Throws<InvalidDataException>(() =>
            service.Answer(new MessageWriter(HeldRowsOp.WarmUp).Long(0).Long(700).Adam(good).ToArray(), default)).Message);
    }
}
