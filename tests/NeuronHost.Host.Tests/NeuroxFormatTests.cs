using System.Globalization;
using NeuronHost.Cli;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>NeuroX's activation files both ways, checked with h5py (the library NeuroX itself
/// reads and writes them with): what `export --format neurox-hdf5` writes is NeuroX's layout with
/// the store's values and labels, and a file h5py writes in that layout is ranked like the
/// numbers in it say.</summary>
public sealed class NeuroxFormatTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), $"neuronhost-neurox-{Guid.NewGuid():N}");

    public NeuroxFormatTests() => Directory.CreateDirectory(temp);
    public void Dispose() { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.RunWithBuiltInPlugins(args);

    private static void Ok((int Code, string Out, string Err) r) => InProcessCli.Ok(r);
    private string P(string name) => Path.Combine(temp, name);

    private static bool H5py()
    {
        if (PythonReference.HasModule("h5py")) return true;
        Assert.False(SharedAssets.Required, "h5py is required in CI (apt-get install python3-h5py)");
        return false;
    }

    [SharedFact]
    public void Export_to_neurox_hdf5_is_read_by_h5py_with_the_store_values_and_labels()
    {
        if (!H5py()) return;
        Ok(Run("extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu"),
            "--max-sentences", "300", "--hooks", "mlp.hook_post", "--out", P("store")));
        Ok(Run("export", P("store"), "--out", P("npy"), "--task", "upos", "--min-count", "20"));
        Ok(Run("export", P("store"), "--out", P("hdf5"), "--task", "upos", "--min-count", "20", "--format", "neurox-hdf5"));
        Ok(Run("export", P("store"), "--out", P("json"), "--task", "upos", "--min-count", "20", "--format", "neurox-json"));

        // h5py, the way NeuroX's load_activations reads the file: sentence_to_index in order, each
        // [layers, words, neurons] swapped to words × (layers · neurons); then NeuroX's JSON lines.
        string script = $$"""
            import json, h5py, numpy as np
            f = h5py.File('{{P("hdf5")}}/activations.hdf5', 'r')
            index = json.loads(f['sentence_to_index'][0])
            acts = [np.swapaxes(np.asarray(f[v]), 0, 1).reshape(f[v].shape[1], -1) for v in index.values()]
            x = np.vstack(acts)
            ref = np.load('{{P("npy")}}/activations.npy')
            assert f['0'].dtype == np.float32 and f['0'].shape[0] == 4, (f['0'].dtype, f['0'].shape)
            d = json.load(open('{{P("npy")}}/labels.json'))
            words = [w for line in open('{{P("hdf5")}}/sentences.txt') for w in line.split()]
            labels = [l for line in open('{{P("hdf5")}}/labels.txt') for l in line.split()]
            assert [len(l.split()) for l in open('{{P("hdf5")}}/sentences.txt')] == [a.shape[0] for a in acts]
            assert labels == [d['classNames'][i] for i in d['labels']], 'labels differ'
            assert words == [w.replace(' ', '_') for w in d['words']], 'words differ'
            assert list(index.keys())[0] == open('{{P("hdf5")}}/sentences.txt').readline().strip()
            js = [json.loads(l) for l in open('{{P("json")}}/activations.json')]
            xj = np.vstack([np.array([np.concatenate([l['values'] for l in t['layers']]) for t in s['features']]) for s in js])
            print(x.shape[0], x.shape[1], float(np.abs(x - ref).max()), float(np.abs(xj - ref).max()), len(js), len(acts))
            """;
        var f = PythonReference.RunOrThrow(script).Trim().Split(' ');
        Assert.Equal(4 * 1024, int.Parse(f[1], CultureInfo.InvariantCulture));
        Assert.Equal(0.0, double.Parse(f[2], CultureInfo.InvariantCulture));
        // NeuroX's JSON keeps 8 decimals.
        Assert.True(double.Parse(f[3], CultureInfo.InvariantCulture) < 1e-7, $"JSON off by {f[3]}");
        Assert.Equal(f[4], f[5]);

        // Ranking the NeuroX export keeps the task, the labels and the splits (labels.json beside it).
        Ok(Run("rank", P("hdf5"), "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-hdf5")));
        Ok(Run("rank", P("npy"), "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-npy")));
        Assert.Equal(File.ReadAllLines(P("rank-npy/rankings.csv")).Take(21), File.ReadAllLines(P("rank-hdf5/rankings.csv")).Take(21));
    }

    [Fact]
    public void A_file_h5py_writes_in_neurox_layout_is_ranked_as_numpy_ranks_it()
    {
        if (!H5py() || !PythonReference.HasModule("numpy")) return;
        // NeuroX's writer: one dataset per sentence index, [layers, words, neurons], and sentence_to_index as a vlen string.
        string script = $$"""
            import json, h5py, numpy as np
            rng = np.random.default_rng(5)
            tags = ['DET', 'NOUN', 'VERB']
            f = h5py.File('{{temp}}/activations.hdf5', 'w')
            index, sents, labs, X, Y = {}, [], [], [], []
            for s in range(120):
                n = int(rng.integers(3, 9))
                y = rng.integers(0, 3, n)
                a = rng.standard_normal((2, n, 6)).astype(np.float32)
                a[1, :, 2] += 2.0 * y          # neuron 8 (layer 1, index 2) carries the tag
                a[0, :, 4] -= 1.0 * (y == 1)   # neuron 4 a little
                f.create_dataset(str(s), a.shape, dtype='float32', data=a)
                words = [f'w{s}_{i}' for i in range(n)]
                index[' '.join(words)] = str(s)
                sents.append(' '.join(words)); labs.append(' '.join(tags[k] for k in y))
                X.append(np.swapaxes(a, 0, 1).reshape(n, -1)); Y.append(y)
            d = f.create_dataset('sentence_to_index', (1,), dtype=h5py.special_dtype(vlen=str))
            d[0] = json.dumps(index)
            f.close()
            open('{{temp}}/sentences.txt', 'w').write('\n'.join(sents) + '\n')
            open('{{temp}}/labels.txt', 'w').write('\n'.join(labs) + '\n')
            X = np.vstack(X).astype(np.float64); Y = np.concatenate(Y)
            print(X.shape[0], X.shape[1])
            """;
        var shape = PythonReference.RunOrThrow(script).Trim().Split(' ').Select(int.Parse).ToArray();
        var r = Run("rank", temp, "--k", "1", "5", "--rankings", "probeless", "--out", P("rank"));
        Ok(r);
        Assert.Contains($"{3} classes", r.Out);
        Assert.Contains("no labelled 'train' split in labels.json (all): sentences split by ratio", r.Err);
        var top = File.ReadLines(P("rank/rankings.csv")).Skip(1).Take(2).Select(l => l.Split(',')).ToArray();
        Assert.Equal(("neurox.layer1", "2"), (top[0][3], top[0][4]));
        Assert.Equal(("neurox.layer0", "4"), (top[1][3], top[1][4]));
        Assert.Equal(12, shape[1]);
    }

    [Fact]
    public void Hostile_neurox_files_are_named_errors()
    {
        if (!H5py()) return;
        PythonReference.RunOrThrow($$"""
            import json, h5py, numpy as np
            f = h5py.File('{{temp}}/activations.hdf5', 'w')
            f.create_dataset('0', (1, 2, 3), dtype='float32', data=np.zeros((1, 2, 3), np.float32))
            d = f.create_dataset('sentence_to_index', (1,), dtype=h5py.special_dtype(vlen=str))
            d[0] = json.dumps({'a b': '../0'})
            f.close()
            open('{{temp}}/sentences.txt', 'w').write('a b\n')
            open('{{temp}}/labels.txt', 'w').write('X Y\n')
            """);
        var r = Run("rank", temp, "--out", P("rank"));
        Assert.Equal(1, r.Code);
        Assert.Contains("activations.hdf5: sentence 'a b' points to '../0', which is not a dataset index", r.Err);
        Assert.False(Directory.Exists(P("rank")));

        PythonReference.RunOrThrow($$"""
            import json, h5py, numpy as np
            f = h5py.File('{{temp}}/activations.hdf5', 'w')
            f.create_dataset('0', (1, 2, 3), dtype='float32', data=np.zeros((1, 2, 3), np.float32))
            d = f.create_dataset('sentence_to_index', (1,), dtype=h5py.special_dtype(vlen=str))
            d[0] = json.dumps({'a b': '0'})
            f.close()
            open('{{temp}}/labels.txt', 'w').write('X\n')
            """);
        r = Run("rank", temp, "--out", P("rank"));
        Assert.Equal(1, r.Code);
        Assert.Contains("labels.txt:1: 1 labels for 2 words", r.Err);
        // The temporary conversion is removed on failure too.
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "neuronhost-neurox-import-*"), d => Directory.GetLastWriteTimeUtc(d) > DateTime.UtcNow.AddMinutes(-1));
    }
}
