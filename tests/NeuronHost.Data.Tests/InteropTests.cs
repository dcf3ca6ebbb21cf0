using System.Globalization;
using NeuronHost.Data.Interop;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

public class InteropTests
{
    [Theory]
    [InlineData(0L, 1)]
    [InlineData(7L, 3)]
    [InlineData(123456789L, 4096)]
    public void NpyHeaderIsAlignedAndParsable(long rows, int columns)
    {
        var header = Npy.Float32Header(rows, columns);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal((byte)'\n', header[^1]);
        var parsed = Npy.ReadHeader(new MemoryStream(header), "x.npy");
        Assert.Equal("<f4", parsed.Descr);
        Assert.Equal([rows, columns], parsed.Shape);
        Assert.Equal(header.Length, parsed.DataOffset);
    }

    [Fact]
    public void ExportNeverOverwritesAUsersFilesButReplacesItsOwnEarlierExport()
    {
        var table = TestStores.Table(20, 5);
        var dir = TestStores.Write(table, TestStores.Manifest(table, [6, 4], StoreDType.Float32, 16));
        var user = TestPaths.TempDir("user");
        File.WriteAllText(Path.Combine(user, "activations.npy"), "my own array");
        File.WriteAllText(Path.Combine(user, "notes.txt"), "mine");
        ExportOptions To(string outDir) => new() { StoreDirectory = dir, OutputDirectory = outDir, Task = TaskSpec.Upos, TaskOptions = new TaskOptions { MinCount = 1 } };

        var e = Assert.Throws<NeuronHost.Data.Output.OutputFolderException>(() => StoreExport.Run(To(user)));
        Assert.Contains(user, e.Message);
        Assert.Equal("my own array", File.ReadAllText(Path.Combine(user, "activations.npy")));
        Assert.Equal(2, Directory.GetFiles(user).Length);

        var ours = Path.Combine(TestPaths.TempDir("export"), "out");
        StoreExport.Run(To(ours));
        long first = new FileInfo(Path.Combine(ours, "activations.npy")).Length;
        StoreExport.Run(To(ours)); // the second export replaces the first: the folder is marked as ours
        Assert.Equal(first, new FileInfo(Path.Combine(ours, "activations.npy")).Length);
    }

    [Fact]
    public void ExportedSliceLoadsInNumpyWithTheRightShapeAndValues()
    {
        if (!PythonReference.HasModule("numpy")) return;
        var table = TestStores.Table(20, 5); // 100 rows: 80 train, 10 dev, 10 test
        var dir = TestStores.Write(table, TestStores.Manifest(table, [6, 4], StoreDType.Float16, 16));
        var outDir = TestPaths.TempDir("export");
        var result = StoreExport.Run(new ExportOptions
        {
            StoreDirectory = dir, OutputDirectory = outDir, Layers = [1], Neurons = [0, 3], Splits = ["train", "dev"],
            Task = TaskSpec.Upos, TaskOptions = new TaskOptions { MinCount = 1 },
        });
        Assert.Equal(90, result.Tokens);
        Assert.Equal(2, result.Neurons);
        string script = $$"""
            import json, numpy as np
            x = np.load('{{outDir}}/activations.npy')
            lab = json.load(open('{{outDir}}/labels.json'))
            neu = json.load(open('{{outDir}}/neurons.json'))
            print(x.dtype, x.shape[0], x.shape[1], x.flags['C_CONTIGUOUS'])
            print(len(lab['labels']), ','.join(lab['classNames']), lab['splits'][0], lab['splits'][-1])
            print(';'.join(f"{c['hookPoint']}[{c['index']}]" for c in neu['columns']))
            for i in (0, 1, 57, 89):
                print(lab['storeRows'][i], repr(float(x[i, 0])), repr(float(x[i, 1])), lab['labels'][i])
            """;
        var lines = PythonReference.RunOrThrow(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("float32 90 2 True", lines[0]);
        Assert.Equal("90 DET,NOUN,VERB train dev", lines[1]);
        Assert.Equal("blocks.1.mlp.hook_post[0];blocks.1.mlp.hook_post[3]", lines[2]);
        foreach (var line in lines[3..])
        {
            var f = line.Split(' ');
            long row = long.Parse(f[0], CultureInfo.InvariantCulture);
            // Store column of blocks.1 neuron n is 6 + n; values went through float16.
            Assert.Equal((float)(Half)TestStores.Value(row, 6), float.Parse(f[1], CultureInfo.InvariantCulture));
            Assert.Equal((float)(Half)TestStores.Value(row, 9), float.Parse(f[2], CultureInfo.InvariantCulture));
            string upos = table.Words[row].Upos;
            Assert.Equal(new[] { "DET", "NOUN", "VERB" }[int.Parse(f[3], CultureInfo.InvariantCulture)], upos);
        }

        using var imported = ActivationImport.Load(outDir);
        Assert.Equal(90, imported.Activations.Rows);
        Assert.Equal(new NeuronRef("blocks.1.mlp.hook_post", 3), imported.Activations.Neurons[1]);
        var data = imported.ToProbingData();
        Assert.Equal(80, data.Train.Tokens);
        Assert.Equal(10, data.Dev!.Tokens);
        Assert.Null(data.Test);
        Directory.Delete(dir, true); Directory.Delete(outDir, true);
    }

    [Fact]
    public void FilesWrittenByNumpyAreImported()
    {
        if (!PythonReference.HasModule("numpy")) return;
        var dir = TestPaths.TempDir("fromnumpy");
        string script = $$"""
            import json, numpy as np
            rng = np.random.default_rng(3)
            x = rng.standard_normal((37, 5)).astype(np.float32)
            np.save('{{dir}}/activations.npy', x)
            labels = [int(v) for v in rng.integers(-1, 3, 37)]
            json.dump({'classNames': ['a', 'b', 'c'], 'labels': labels, 'splits': ['train'] * 30 + ['test'] * 7}, open('{{dir}}/labels.json', 'w'))
            print(repr(float(x[0, 0])), repr(float(x[36, 4])), repr(float(x.astype(np.float64).sum())), sum(1 for l in labels[:30] if l >= 0))
            """;
        var f = PythonReference.RunOrThrow(script).Trim().Split(' ');
        using var imported = ActivationImport.Load(dir);
        var all = imported.Activations.ToArray();
        Assert.Equal(float.Parse(f[0], CultureInfo.InvariantCulture), all[0]);
        Assert.Equal(float.Parse(f[1], CultureInfo.InvariantCulture), all[36 * 5 + 4]);
        Assert.Equal(double.Parse(f[2], CultureInfo.InvariantCulture), all.Sum(v => (double)v), 9);
        Assert.Equal(int.Parse(f[3], CultureInfo.InvariantCulture), imported.ToProbingData().Train.Tokens);
        Assert.Equal("features", imported.Activations.Neurons[0].HookPoint);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MismatchedLabelsAreNamed()
    {
        var dir = TestPaths.TempDir("badimport");
        using (var s = File.Create(Path.Combine(dir, "activations.npy")))
        {
            s.Write(Npy.Float32Header(3, 2));
            s.Write(new byte[24]);
        }
        File.WriteAllText(Path.Combine(dir, "labels.json"), """{"classNames":["a"],"labels":[0,0]}""");
        var e = Assert.Throws<FormatException>(() => ActivationImport.Load(dir));
        Assert.Contains("labels.json", e.Message);
        Assert.Contains("2 labels for 3 rows", e.Message);
        using (var s = File.Create(Path.Combine(dir, "activations.npy"))) { s.Write(Npy.Float32Header(3, 2)); s.Write(new byte[10]); }
        e = Assert.Throws<FormatException>(() => ActivationImport.Load(dir));
        Assert.Contains("truncated", e.Message);
        Directory.Delete(dir, true);
    }
}
