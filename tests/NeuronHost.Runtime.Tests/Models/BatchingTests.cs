using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>A batch of sequences of different lengths gives what each sequence gives alone.</summary>
public sealed class BatchingTests
{
    public static TheoryData<string> Models => new() { "gpt2-mini-brown", "tiny-llama", "tiny-bert" };

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void PaddedBatchEqualsSequencesRunAlone(string name)
    {
        using var session = ModelLoader.Load(SharedAssets.Model(name));
        var rng = new Random(7);
        int[][] sequences = [.. new[] { 9, 3, 17, 1, 12 }.Select(n => Enumerable.Range(0, n).Select(_ => rng.Next(5, session.Info.VocabSize)).ToArray())];
        string[] capture = [HookPoints.MlpPost(1), HookPoints.AttnZ(0), HookPoints.ResidPost(session.Info.Layers - 1)];
        var batch = session.Forward(new ForwardRequest(sequences) { Logits = LogitsMode.All, Capture = capture });
        for (int s = 0; s < sequences.Length; s++)
        {
            var alone = session.Forward(new ForwardRequest([sequences[s]]) { Logits = LogitsMode.All, Capture = capture });
            Assert.Equal(sequences[s].Length, batch.Logits[s].Rows);
            double err = ReferenceTests.MaxAbs(batch.Logits[s].Data, alone.Logits[0].Data);
            Assert.True(err < 1e-4, $"sequence {s}: logits differ by {err}");
            foreach (var hook in capture)
            {
                err = ReferenceTests.MaxAbs(batch.Captured[hook][s].Data, alone.Captured[hook][0].Data);
                Assert.True(err < 1e-4, $"sequence {s}: {hook} differs by {err}");
            }
        }
        // Last and LogitPositions pick the rows of the All logits.
        var last = session.Forward(new ForwardRequest(sequences));
        var picked = session.Forward(new ForwardRequest(sequences) { LogitPositions = [.. sequences.Select(q => q.Length / 2)] });
        for (int s = 0; s < sequences.Length; s++)
        {
            double lastErr = ReferenceTests.MaxAbs(last.Logits[s].Data, batch.Logits[s].Row(sequences[s].Length - 1).ToArray());
            double pickedErr = ReferenceTests.MaxAbs(picked.Logits[s].Data, batch.Logits[s].Row(sequences[s].Length / 2).ToArray());
            // 1e-4 as above: a one-row product takes another OpenBLAS kernel path than the all-rows one, and
            // float32 rounding of logits around ±10 over a 256-wide sum reaches 1.1e-5 (measured on gpt2-mini-brown).
            Assert.True(lastErr < 1e-4, $"sequence {s}: last-position logits differ from the all-positions row by {lastErr}");
            Assert.True(pickedErr < 1e-4, $"sequence {s}: picked-position logits differ from the all-positions row by {pickedErr}");
        }
    }

    [SharedFact]
    public void CausalModelsIgnoreLaterTokensAndBertDoesNot()
    {
        using var gpt2 = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        var a = gpt2.Forward(new ForwardRequest([[448, 6899, 847, 317, 259], [448, 6899, 847]]) { Logits = LogitsMode.All });
        Assert.True(ReferenceTests.MaxAbs(a.Logits[0].Data[..(3 * 8192)], a.Logits[1].Data) < 1e-5);

        using var bert = ModelLoader.Load(SharedAssets.Model("tiny-bert"));
        var b = bert.Forward(new ForwardRequest([[2, 119, 1278, 109, 3], [2, 119, 1278]]) { Logits = LogitsMode.All });
        Assert.True(ReferenceTests.MaxAbs(b.Logits[0].Data[..(3 * 1632)], b.Logits[1].Data) > 1e-3);
    }
}
