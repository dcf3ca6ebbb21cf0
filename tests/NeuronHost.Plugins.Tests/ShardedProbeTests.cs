using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>The linear probe trained from per-holder pass sums, as a cluster's silos would give
/// them: which rows each holder sums (<see cref="GridOwnership"/>), the bytes it sends
/// (<see cref="PassSumsCodec"/>), and OWL-QN on a coordinator that holds no rows.</summary>
public class ShardedProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Each_segment_goes_to_the_holder_of_its_first_row_and_the_rows_it_lacks_come_from_the_next_shards()
    {
        // shards [0, 1000), [1000, 5000), [5000, 5100), [5100, 9000) on a 2,048-row grid
        var (owned, transfers) = GridOwnership.Plan([1000, 5000, 5100, 9000], 2048);
        Assert.Equal([(0L, 2048L), (2048L, 6144L), (6144L, 6144L), (6144L, 9000L)], owned);
        Assert.Equal([new RowTransfer(1, 0, 1000, 2048), new RowTransfer(2, 1, 5000, 5100), new RowTransfer(3, 1, 5100, 6144)], transfers);
        // shards that end on the grid exchange nothing
        Assert.Empty(GridOwnership.Plan([2048, 4096, 5000], 2048).Transfers);
        Assert.Throws<ArgumentException>(() => GridOwnership.Plan([100, 50], 512));
    }

    [Fact]
    public void Random_shard_cuts_give_every_segment_one_holder_and_move_less_than_a_segment_per_holder()
    {
        var rng = new Random(11);
        for (int round = 0; round < 500; round++)
        {
            int segment = new[] { 512, 1024, 2048 }[rng.Next(3)], holders = rng.Next(1, 7);
            var ends = new long[holders];
            long at = 0;
            for (int h = 0; h < holders; h++) ends[h] = at += rng.Next(4) == 0 ? rng.Next(0, 300) : rng.Next(0, 6000);
            var (owned, transfers) = GridOwnership.Plan(ends, segment);
            long total = ends[^1], next = 0;
            var rowsOf = new List<(long, long)>[holders];
            for (int h = 0; h < holders; h++)
            {
                rowsOf[h] = [];
                var (first, end) = owned[h];
                Assert.True(first == next || first == end, $"round {round}: holder {h} owns [{first}, {end}) after row {next}");
                if (end > first)
                {
                    Assert.True(first % segment == 0, $"round {round}: holder {h} starts off the grid at {first}");
                    Assert.True(end % segment == 0 || end == total, $"round {round}: holder {h} ends off the grid at {end}");
                    next = end;
                    long heldFirst = h == 0 ? 0 : ends[h - 1];
                    // what it keeps of its own shard, and what it is sent
                    if (Math.Min(end, ends[h]) > first) rowsOf[h].Add((first, Math.Min(end, ends[h])));
                    Assert.True(first >= heldFirst, $"round {round}: holder {h} sums rows before its shard");
                }
            }
            Assert.Equal(total, next);
            foreach (var t in transfers)
            {
                long heldFirst = t.From == 0 ? 0 : ends[t.From - 1];
                Assert.True(t.First >= heldFirst && t.End <= ends[t.From], $"round {round}: holder {t.From} does not hold [{t.First}, {t.End})");
                rowsOf[t.To].Add((t.First, t.End));
            }
            for (int h = 0; h < holders; h++)
            {
                // the kept and received rows are exactly the owned range, in order
                long cursor = owned[h].First;
                foreach (var (first, end) in rowsOf[h].OrderBy(r => r.Item1)) { Assert.Equal(cursor, first); cursor = end; }
                Assert.Equal(owned[h].End, Math.Max(cursor, owned[h].First));
                long received = transfers.Where(t => t.To == h).Sum(t => t.End - t.First);
                Assert.True(received < segment, $"round {round}: holder {h} receives {received} rows on a {segment}-row grid");
            }
        }
    }

    [Fact]
    public void Pass_sums_cross_the_wire_unchanged_and_a_payload_of_another_shape_is_refused_naming_its_sender()
    {
        var rng = new Random(5);
        Int128 Big() => ((Int128)rng.NextInt64() << 40) - rng.NextInt64();
        // the extremes, zero and ±1 among ordinary sums
        Int128[] edges = [Int128.MinValue, Int128.MaxValue, Int128.MinValue + 1, 0, 1, -1, 63, -64, 64];
        var sums = new PassSums([.. edges, .. Enumerable.Range(0, 3 * 7 - edges.Length).Select(_ => Big())], [Big(), Big(), Int128.MinValue + 1]) { Loss = Big() };
        var bytes = PassSumsCodec.Encode(sums, 3, 7);
        var back = PassSumsCodec.Decode(bytes, 3, 7, "silo east");
        Assert.Equal(sums.Loss, back.Loss);
        Assert.Equal(sums.GradientT, back.GradientT);
        Assert.Equal(sums.Bias, back.Bias);
        // zigzag LEB128 by hand: 0 → 00, -1 → 01, 1 → 02, 63 → 7E, -64 → 7F, 64 → 80 01
        Assert.Equal(new byte[] { 0x00, 0x02, 0x01, 0x7E, 0x7F, 0x80, 0x01 }, Encoded(0, 1, -1, 63, -64, 64));
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 18).Append((byte)0x03), Encoded(Int128.MinValue));

        string Refusal(byte[] b, int classes = 3, int features = 7) =>
            Assert.Throws<InvalidDataException>(() => PassSumsCodec.Decode(b, classes, features, "silo east, shard 4")).Message;
        Assert.Contains("silo east, shard 4: pass sums for 3 classes × 7 features; this probe has 7 × 3", Refusal(bytes, 7, 3));
        Assert.Contains($"end after {bytes.Length - 1} bytes, inside value 24", Refusal(bytes[..^1]));
        Assert.Contains($"pass sums of {bytes.Length + 1} bytes; their 25 values end at byte {bytes.Length}", Refusal([.. bytes, 0]));
        Assert.Contains("value 0 of the pass sums is longer than 128 bits", Refusal([.. bytes[..16], .. Enumerable.Repeat((byte)0xFF, 18), 0x04]));
        Assert.Contains("do not start with NHPS", Refusal(bytes[..10]));
        Assert.Contains("do not start with NHPS", Refusal([]));
        var otherFormat = bytes.ToArray(); otherFormat[4] = 1;
        Assert.Contains("format 1; this NeuronHost reads format 2", Refusal(otherFormat));
    }

    /// <summary>The bytes of the values, in order: the loss of one class's sums over values.Length − 1
    /// features whose gradient sums are the rest (header and the zero bias left off).</summary>
    private static byte[] Encoded(params Int128[] values)
    {
        var sums = new PassSums(values[1..], [Int128.Zero]) { Loss = values[0] };
        return PassSumsCodec.Encode(sums, 1, values.Length - 1)[16..^1];
    }

    /// <summary>Real activations (gpt2-mini-brown layer-1 FFN over EWT, UPOS) cut into three shards
    /// off the grid; each holder sums its grid-aligned rows, the sums travel as bytes and merge on a
    /// coordinator that holds no rows, and OWL-QN there ends at the local training's model to the bit.</summary>
    [SharedFact]
    public void Owl_qn_on_sums_from_three_holders_trains_the_local_model_to_the_bit()
    {
        var (x, y, n, d, classes, _) = EwtUposSlice.Layer1();
        int valid = y.Count(v => v >= 0);
        var (mean, invStd) = ElasticNetTrainer.ColumnMoments(x, n, d);
        var options = new ElasticNetOptions { MaxIterations = 25 };
        float[] Priors()
        {
            var b = new float[classes];
            for (int c = 0; c < classes; c++) b[c] = (float)Math.Log((y.Count(v => v == c) + 1.0) / (valid + classes));
            return b;
        }

        var localW = new float[d * classes]; var localB = Priors();
        var local = OwlQnSolver.Solve(new SoftmaxObjective(x, n, d, classes, y, valid, mean, invStd, options), localW, localB, null, null, default);

        // three shards cut where no segment ends
        int segment = SoftmaxObjective.SegmentRowsFor(n);
        long[] ends = [n * 3 / 10 + 7, n * 2 / 3 + 101, n];
        Assert.All(ends[..^1], e => Assert.NotEqual(0, e % segment));
        var (owned, transfers) = GridOwnership.Plan(ends, segment);
        var holders = owned.Select(o =>
        {
            int first = (int)o.First, rows = (int)(o.End - o.First);
            return (Problem: new SoftmaxObjective(x[(first * d)..((first + rows) * d)], rows, d, classes, y[first..(first + rows)], valid, mean, invStd, options, totalRows: n), Rows: rows);
        }).ToArray();
        long bytesPerPass = 0; int passes = 0;
        var coordinator = SoftmaxObjective.OverHolders(d, classes, valid, n, mean, invStd, options, (w, b) =>
        {
            // merged last holder first, through the bytes a silo would send
            PassSums? merged = null;
            for (int h = holders.Length - 1; h >= 0; h--)
            {
                var bytes = PassSumsCodec.Encode(holders[h].Problem.SumPass(w, b, 0, holders[h].Rows), classes, d);
                bytesPerPass += bytes.Length;
                var sums = PassSumsCodec.Decode(bytes, classes, d, $"holder {h}");
                if (merged is null) merged = sums; else merged.Merge(sums);
            }
            passes++;
            return merged!;
        });
        var shardW = new float[d * classes]; var shardB = Priors();
        var sharded = OwlQnSolver.Solve(coordinator, shardW, shardB, null, null, default);

        output.WriteLine($"{n:N0} rows × {d} neurons × {classes} classes, {segment}-row grid; shards end at {string.Join(", ", ends)}; "
            + $"moved once: {string.Join(", ", transfers.Select(t => $"{t.End - t.First} rows {t.From}→{t.To}"))}; "
            + $"{passes} passes, {bytesPerPass / Math.Max(passes, 1):N0} bytes of sums per pass; objective {sharded.Objective:R} after {sharded.Iterations} iterations");
        Assert.Equal(local.Iterations, sharded.Iterations);
        Assert.Equal(local.Objective, sharded.Objective);
        Assert.Equal(localW, shardW);
        Assert.Equal(localB, shardB);
        Assert.True(transfers.Length > 0 && transfers.All(t => t.End - t.First < segment));
        Assert.Throws<InvalidOperationException>(() => coordinator.Logits(shardW, shardB, new float[classes]));
    }

    /// <summary>The whole training — class counts, column moments, Adam's warm-up mini-batches,
    /// OWL-QN, early stopping on dev — over three holders of real rows equals <c>Fit</c> on all of
    /// them to the bit; with 300-row warm-up batches, some of which straddle two holders, too.</summary>
    [SharedFact]
    public void The_whole_probe_trained_over_three_holders_is_the_local_probe_to_the_bit()
    {
        var (x, y, n, d, classes, dev) = EwtUposSlice.Layer1();
        var (owned, _) = GridOwnership.Plan([n / 4 + 333, n / 2 + 1, n], SoftmaxObjective.SegmentRowsFor(n));
        var holders = owned.Select(o => new ProbeRowHolder(x[(int)(o.First * d)..(int)(o.End * d)], y[(int)o.First..(int)o.End], d, (int)o.First)).ToList();
        foreach (int batch in new[] { 512, 300 })
        {
            var options = new ElasticNetOptions { MaxIterations = 40, WarmUpBatch = batch };
            var local = ElasticNetTrainer.Fit(x, n, d, y, classes, options, earlyStopping: dev);
            var sharded = ElasticNetTrainer.FitOverHolders(holders, d, classes, options, earlyStopping: mean => new LocalHeldOut(dev, d, mean));
            output.WriteLine($"warm-up batches of {batch}: holders of {string.Join(", ", holders.Select(h => h.Rows))} rows; "
                + $"{sharded.Iterations} iterations, objective {sharded.Objective:R}, best dev {sharded.DevChecks.Max(c => c.Accuracy):P2} (local {local.DevChecks.Max(c => c.Accuracy):P2})");
            Assert.Equal(local.Mean, sharded.Mean);
            Assert.Equal(local.InvStd, sharded.InvStd);
            Assert.Equal(local.Iterations, sharded.Iterations);
            Assert.Equal(local.Objective, sharded.Objective);
            Assert.Equal(local.Weights, sharded.Weights);
            Assert.Equal(local.Bias, sharded.Bias);
            Assert.Equal(local.DevChecks.Select(c => c.Accuracy), sharded.DevChecks.Select(c => c.Accuracy));
        }
        // a holder whose rows do not start where the one before it ends is refused
        Assert.Throws<ArgumentException>(() => ElasticNetTrainer.FitOverHolders([holders[0], holders[2]], d, classes, new ElasticNetOptions()));
    }

    [Fact]
    public void A_holder_names_the_whole_problems_row_of_a_bad_label_or_value()
    {
        int d = 3;
        var good = new ProbeRowHolder(new float[512 * d], Enumerable.Range(0, 512).Select(i => i % 2).ToArray(), d, 0);
        var labels = Enumerable.Range(0, 10).Select(i => i % 2).ToArray(); labels[7] = 9;
        var badLabel = new ProbeRowHolder(new float[10 * d], labels, d, 512);
        var e = Assert.Throws<PluginInputException>(() => ElasticNetTrainer.FitOverHolders([good, badLabel], d, 2, new ElasticNetOptions()));
        Assert.Contains("label 9 at row 519 is outside 0..1", e.Message);
        var values = new float[10 * d]; values[4 * d + 2] = float.NaN;
        var badValue = new ProbeRowHolder(values, Enumerable.Range(0, 10).Select(i => i % 2).ToArray(), d, 512);
        var nan = Assert.Throws<NonFiniteActivationException>(() => ElasticNetTrainer.FitOverHolders([good, badValue], d, 2, new ElasticNetOptions()));
        Assert.Contains("activation at row 516, neuron 2 is NaN", nan.Message);
        Assert.Throws<ArgumentException>(() => new ProbeRowHolder(new float[d], [0], d, 100));
    }
}
