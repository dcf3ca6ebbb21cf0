using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NeuronHost.Core.Config;

/// <summary>analysis.yaml ↔ <see cref="AnalysisConfig"/>. Reading is strict: an unknown key, a
/// value of the wrong type or malformed YAML is one <see cref="ConfigException"/> line
/// "file:line: key: what is wrong" (several problems are reported together). The line of every
/// key is kept for the validator. Files over <see cref="MaxFileBytes"/> or nested deeper than
/// <see cref="MaxDepth"/> are refused before the YAML tree is built. Keys are kebab-case like every
/// name a user types (command-line options, plugin names, plugin parameters); the snake_case
/// spellings of earlier versions (k_grid, max_sentences) are still read, with one warning line
/// in <see cref="AnalysisConfig.Warnings"/> naming them.</summary>
public static class AnalysisYaml
{
    /// <summary>The largest analysis.yaml read (a full config is under 4 KB).</summary>
    public const int MaxFileBytes = 1 << 20;
    /// <summary>The deepest nesting of lists and mappings (a config needs 4).</summary>
    public const int MaxDepth = 32;

    private static readonly string[] TopKeys =
        ["model", "corpus", "task", "layers", "hook", "hook-points", "aggregation", "lm-input", "store", "rankings", "probes",
         "interventions", "prompts", "k-grid", "minimal-set-margin", "random-draws", "oracle-fractions", "top-contexts", "output", "seed", "backend", "plugin-timeout", "cluster", "shard-batches", "cluster-rows"];
    private static readonly string[] CorpusKeys = ["path", "format", "max-sentences", "split"];
    private static readonly string[] TaskKeys = ["name", "min-class-count", "control"];
    private static readonly string[] PluginKeys = ["plugin", "name", "parameters"];

    public static AnalysisConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: no such file");
        return Parse(ReadBounded(path), path);
    }

    /// <summary>The file's text, read no further than the size limit (a device never ends).</summary>
    private static string ReadBounded(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[MaxFileBytes + 1];
            int total = 0, n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            if (total > MaxFileBytes) throw new ConfigException($"{path}: larger than the {MaxFileBytes:N0}-byte limit for an analysis config");
            try { return new System.Text.UTF8Encoding(false, true).GetString(buffer, 0, total).TrimStart('\uFEFF'); }
            catch (System.Text.DecoderFallbackException) { throw new ConfigException($"{path}: not valid UTF-8 text"); }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>Walks the YAML events (no tree, no recursion) and refuses nesting deeper than
    /// <see cref="MaxDepth"/>, so a 50,000-deep file cannot overflow the stack of the tree builder.</summary>
    private static void CheckDepth(string text, string fileName)
    {
        var parser = new Parser(new StringReader(text));
        int depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is MappingStart or SequenceStart && ++depth > MaxDepth)
                    throw new ConfigException($"{fileName}:{parser.Current.Start.Line}: nested deeper than {MaxDepth} levels (a config needs 4)");
                if (parser.Current is MappingEnd or SequenceEnd) depth--;
            }
        }
        catch (YamlException) { /* the tree builder below reports it with its line */ }
        catch (InvalidOperationException) { /* likewise */ }
    }

    /// <summary>Parses YAML text; relative paths are resolved against the folder of
    /// <paramref name="fileName"/> (or the current folder).</summary>
    public static AnalysisConfig Parse(string text, string fileName = "analysis.yaml")
    {
        if (text.Length > MaxFileBytes) throw new ConfigException($"{fileName}: larger than the {MaxFileBytes:N0}-byte limit for an analysis config");
        CheckDepth(text, fileName);
        var source = new ConfigSource(fileName);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new ConfigException($"{fileName}:{e.Start.Line}: not valid YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}"); }
        // YamlDotNet's scanner throws this (no position) on an unclosed flow list or mapping.
        catch (InvalidOperationException) { throw new ConfigException($"{fileName}: not valid YAML: an unclosed [ or {{ (or a stray character) near the end of the file"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{fileName}:1: the file must be a mapping of keys (model:, corpus:, task:, …)");

        string baseDir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? Environment.CurrentDirectory;
        var c = new AnalysisConfig { Source = source };
        var r = new Reader(source, baseDir);
        foreach (var (key, value, path) in r.Entries(root, "", TopKeys))
        {
            try { Read(c, r, key, value, path); }
            catch (ConfigException e) { r.Problems.Add(e.Message); }
        }
        if (r.OldSpellings.Count > 0)
            c.Warnings.Add($"{fileName}: old key spellings, still read but to be renamed: " +
                string.Join(", ", r.OldSpellings.Select(o => $"{o.Old} → {o.New} (line {o.Line})")));
        if (r.Problems.Count > 0) throw ConfigException.Of(r.Problems, c);
        return c;
    }

    private static void Read(AnalysisConfig c, Reader r, string key, YamlNode value, string path)
    {
        {
            switch (key)
            {
                case "model": c.ModelDir = r.PathValue(value, path); break;
                case "corpus":
                    if (value is YamlScalarNode) { c.Corpus.Path = r.PathValue(value, path); break; }
                    foreach (var (k, v, p) in r.Entries(r.Mapping(value, path), path, CorpusKeys))
                        switch (k)
                        {
                            case "path": c.Corpus.Path = r.PathValue(v, p); break;
                            case "format": c.Corpus.Format = r.String(v, p); break;
                            case "max-sentences": c.Corpus.MaxSentences = r.Int(v, p); break;
                            case "split": c.Corpus.Split = r.Doubles(v, p); break;
                        }
                    break;
                case "task":
                    if (value is YamlScalarNode) { c.Task.Name = r.String(value, path); break; }
                    foreach (var (k, v, p) in r.Entries(r.Mapping(value, path), path, TaskKeys))
                        switch (k)
                        {
                            case "name": c.Task.Name = r.String(v, p); break;
                            case "min-class-count": c.Task.MinClassCount = r.Int(v, p); break;
                            case "control": c.Task.Control = r.Bool(v, p); break;
                        }
                    break;
                case "layers": c.Layers = r.Ints(value, path); break;
                case "hook": c.Hook = r.String(value, path); break;
                case "hook-points": c.HookPoints = r.Strings(value, path); break;
                case "aggregation": c.Aggregation = r.String(value, path); break;
                case "lm-input": c.LmInput = r.String(value, path); break;
                case "store": c.StoreDir = r.PathValue(value, path); break;
                case "rankings": c.Rankings = r.Plugins(value, path); break;
                case "probes": c.Probes = r.Plugins(value, path); break;
                case "interventions": c.Interventions = r.Plugins(value, path); break;
                case "k-grid": c.KGrid = r.Ints(value, path); break;
                case "minimal-set-margin": c.MinimalSetMargin = r.Double(value, path); break;
                case "random-draws": c.RandomDraws = r.Int(value, path); break;
                case "oracle-fractions": c.OracleFractions = r.Doubles(value, path); break;
                case "top-contexts": c.TopContexts = r.Int(value, path); break;
                // A built-in set name ("agreement") or a JSONL file, relative to this file.
                case "prompts":
                    c.Prompts = r.String(value, path);
                    if (c.Prompts.Contains('/') || c.Prompts.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) c.Prompts = r.PathValue(value, path);
                    break;
                case "output": c.OutputDir = r.PathValue(value, path); break;
                case "seed": c.Seed = r.Int(value, path); break;
                case "backend": c.Backend = r.String(value, path); break;
                // Empty (cluster: with no value) is this machine, like leaving the key out.
                case "cluster": c.Cluster = r.String(value, path).Trim() is { Length: > 0 } address ? address : null; break;
                case "shard-batches":
                    int batches = r.Int(value, path);
                    if (batches < 1) throw r.Error(value, path, $"'{batches}' is not a positive number of batches");
                    c.ShardBatches = batches;
                    break;
                case "cluster-rows":
                    string rows = r.String(value, path).Trim();
                    if (rows is not (AnalysisConfig.RowsOnSilos or AnalysisConfig.RowsToCoordinator))
                        throw r.Error(value, path, $"'{rows}' is not a place for the rows: write {AnalysisConfig.RowsOnSilos} or {AnalysisConfig.RowsToCoordinator}");
                    c.ClusterRows = rows;
                    break;
                case "plugin-timeout":
                    double seconds = r.Double(value, path);
                    if (seconds <= 0) throw r.Error(value, path, $"'{seconds}' is not a positive number of seconds");
                    c.PluginTimeoutSeconds = seconds;
                    break;
            }
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>The YAML that <see cref="Parse"/> reads back to the same config (every setting
    /// written out, so a saved run does not depend on defaults changing).</summary>
    public static string Save(AnalysisConfig c)
    {
        var root = new YamlMappingNode
        {
            { "model", c.ModelDir },
            { "corpus", Map(("path", c.Corpus.Path), ("format", c.Corpus.Format),
                ("max-sentences", c.Corpus.MaxSentences is { } m ? Scalar(m) : null), ("split", Flow(c.Corpus.Split.Select(Scalar)))) },
            { "task", Map(("name", c.Task.Name), ("min-class-count", Scalar(c.Task.MinClassCount)), ("control", c.Task.Control ? "true" : "false")) },
            { "layers", Flow(c.Layers.Select(Scalar)) },
            { "hook", c.Hook },
        };
        if (c.HookPoints.Count > 0) root.Add("hook-points", Flow(c.HookPoints.Select(h => (YamlNode)new YamlScalarNode(h))));
        root.Add("aggregation", c.Aggregation);
        root.Add("lm-input", c.LmInput);
        if (!string.IsNullOrEmpty(c.StoreDir)) root.Add("store", c.StoreDir);
        root.Add("rankings", Plugins(c.Rankings));
        root.Add("probes", Plugins(c.Probes));
        root.Add("interventions", Plugins(c.Interventions));
        root.Add("k-grid", Flow(c.KGrid.Select(Scalar)));
        root.Add("minimal-set-margin", Scalar(c.MinimalSetMargin));
        root.Add("random-draws", Scalar(c.RandomDraws));
        root.Add("oracle-fractions", Flow(c.OracleFractions.Select(Scalar)));
        root.Add("top-contexts", Scalar(c.TopContexts));
        if (c.Prompts is not null) root.Add("prompts", c.Prompts);
        root.Add("output", c.OutputDir);
        root.Add("seed", Scalar(c.Seed));
        if (c.Backend.Length > 0) root.Add("backend", c.Backend);
        if (c.PluginTimeoutSeconds is { } timeout) root.Add("plugin-timeout", Scalar(timeout));
        if (!string.IsNullOrWhiteSpace(c.Cluster)) root.Add("cluster", c.Cluster.Trim());
        if (c.ShardBatches is { } batches) root.Add("shard-batches", Scalar(batches));
        if (c.ClusterRows is { } rowsAt) root.Add("cluster-rows", rowsAt);
        var sw = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(sw, assignAnchors: false);
        var text = sw.ToString();
        // YamlDotNet ends documents with "...": drop it, the file holds one document.
        text = text.TrimEnd();
        if (text.EndsWith("...")) text = text[..^3].TrimEnd();
        return "# NeuronHost analysis: run with `neuronhost run THIS_FILE`\n" + text + "\n";
    }

    private static YamlNode Scalar(int v) => new YamlScalarNode(v.ToString(CultureInfo.InvariantCulture));
    private static YamlNode Scalar(double v) => new YamlScalarNode(v.ToString("R", CultureInfo.InvariantCulture));

    private static YamlMappingNode Map(params (string Key, YamlNode? Value)[] entries)
    {
        var m = new YamlMappingNode();
        foreach (var (k, v) in entries) if (v is not null) m.Add(k, v);
        return m;
    }

    private static YamlSequenceNode Flow(IEnumerable<YamlNode> items) => new(items) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };

    private static YamlSequenceNode Plugins(List<PluginUse> uses)
    {
        var seq = new YamlSequenceNode();
        if (uses.Count == 0) seq.Style = YamlDotNet.Core.Events.SequenceStyle.Flow;
        foreach (var u in uses)
        {
            var m = new YamlMappingNode { { "plugin", u.Plugin } };
            if (!string.IsNullOrEmpty(u.Name)) m.Add("name", u.Name);
            if (u.Parameters.Count > 0)
            {
                var p = new YamlMappingNode();
                foreach (var (k, v) in u.Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    p.Add(k, new YamlScalarNode(v) { Style = ScalarStyle.DoubleQuoted });
                m.Add("parameters", p);
            }
            seq.Add(m);
        }
        return seq;
    }

    /// <summary>Typed reads with errors that name file, line and key path.</summary>
    private sealed class Reader(ConfigSource source, string baseDir)
    {
        /// <summary>Problems found so far; reading goes on so they are all reported together.</summary>
        public List<string> Problems { get; } = [];
        /// <summary>Keys and parameter names written in an older spelling: (as written, canonical, line).</summary>
        public List<(string Old, string New, int Line)> OldSpellings { get; } = [];

        public ConfigException Error(YamlNode node, string path, string message) =>
            new($"{source.File}:{node.Start.Line}: {path}: {message}");

        public IEnumerable<(string Key, YamlNode Value, string Path)> Entries(YamlMappingNode map, string prefix, string[] allowed)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is not YamlScalarNode s)
                {
                    Problems.Add($"{source.File}:{k.Start.Line}: {(prefix.Length == 0 ? "(top level)" : prefix)}: a key must be a plain name, not a list or mapping");
                    continue;
                }
                string written = s.Value ?? "";
                string key = written.Replace('_', '-');
                string path = prefix.Length == 0 ? key : $"{prefix}.{key}";
                if (!allowed.Contains(key))
                {
                    Problems.Add($"{source.File}:{k.Start.Line}: {path}: unknown key '{written}' (known here: {string.Join(", ", allowed)})");
                    continue;
                }
                if (written != key) OldSpellings.Add((written, key, (int)k.Start.Line));
                source.Lines[path] = (int)k.Start.Line;
                yield return (key, v, path);
            }
        }

        public YamlMappingNode Mapping(YamlNode node, string path) =>
            node as YamlMappingNode ?? throw Error(node, path, "expected a mapping of keys");

        public string String(YamlNode node, string path) =>
            node is YamlScalarNode s ? s.Value ?? "" : throw Error(node, path, "expected a single value");

        public string PathValue(YamlNode node, string path)
        {
            string v = String(node, path);
            if (v.Length == 0) return v;
            if (v.IndexOfAny(Path.GetInvalidPathChars()) >= 0) throw Error(node, path, "holds a character no path can (NUL)");
            if (v.StartsWith("~/")) v = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), v[2..]);
            return Path.GetFullPath(Path.Combine(baseDir, v));
        }

        public int Int(YamlNode node, string path, YamlNode? at = null) =>
            int.TryParse(String(node, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                : throw Error(at ?? node, path, $"'{String(node, path)}' is not an integer");

        public double Double(YamlNode node, string path, YamlNode? at = null) =>
            double.TryParse(String(node, path), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
                : throw Error(at ?? node, path, $"'{String(node, path)}' is not a number");

        public bool Bool(YamlNode node, string path) =>
            bool.TryParse(String(node, path), out bool v) ? v : throw Error(node, path, $"'{String(node, path)}' is not true or false");

        /// <summary>List items with the node whose line errors should name (split-out scalars have
        /// no position of their own, so the list's).</summary>
        private IEnumerable<(YamlNode Node, string Path, YamlNode At)> Items(YamlNode node, string path) => node switch
        {
            YamlSequenceNode seq => seq.Children.Select((n, i) => (n, $"{path}[{i}]", n)),
            YamlScalarNode s when (s.Value ?? "").Length == 0 => [],
            // "1, 5, 10" written as one scalar.
            YamlScalarNode s => (s.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select((v, i) => ((YamlNode)new YamlScalarNode(v), $"{path}[{i}]", node)),
            _ => throw Error(node, path, "expected a list"),
        };

        public List<int> Ints(YamlNode node, string path) => Items(node, path).Select(x => Int(x.Node, x.Path, x.At)).ToList();
        public List<double> Doubles(YamlNode node, string path) => Items(node, path).Select(x => Double(x.Node, x.Path, x.At)).ToList();
        public List<string> Strings(YamlNode node, string path) => Items(node, path).Select(x => String(x.Node, x.Path)).ToList();

        public List<PluginUse> Plugins(YamlNode node, string path)
        {
            var list = new List<PluginUse>();
            if (node is YamlScalarNode empty && string.IsNullOrEmpty(empty.Value)) return list;
            if (node is not YamlSequenceNode seq) throw Error(node, path, "expected a list of plugins (- plugin: NAME)");
            for (int i = 0; i < seq.Children.Count; i++)
            {
                var item = seq.Children[i];
                string itemPath = $"{path}[{i}]";
                // "- linear" is shorthand for "- plugin: linear".
                if (item is YamlScalarNode s) { source.Lines[itemPath + ".plugin"] = (int)s.Start.Line; list.Add(new PluginUse { Plugin = s.Value ?? "" }); continue; }
                var use = new PluginUse();
                source.Lines[itemPath] = (int)item.Start.Line;
                foreach (var (k, v, p) in Entries(Mapping(item, itemPath), itemPath, PluginKeys))
                    switch (k)
                    {
                        case "plugin": use.Plugin = String(v, p); break;
                        case "name": use.Name = String(v, p); break;
                        case "parameters":
                            if (v is YamlScalarNode e && string.IsNullOrEmpty(e.Value)) break;
                            foreach (var (pk, pv) in Mapping(v, p).Children)
                            {
                                string written = pk is YamlScalarNode ks ? ks.Value ?? ""
                                    : throw Error(pk, p, "a parameter name must be a plain name, not a list or mapping");
                                // Parameter names are kebab-case (max-neurons); max_neurons and MaxNeurons still read.
                                string key = NeuronHost.Core.Plugins.PluginParameters.ToKebabCase(written.Trim());
                                if (key != written) OldSpellings.Add((written, key, (int)pk.Start.Line));
                                source.Lines[$"{p}.{key}"] = (int)pk.Start.Line;
                                use.Parameters[key] = pv switch
                                {
                                    YamlScalarNode sv => sv.Value ?? "",
                                    YamlSequenceNode sq => string.Join(",", sq.Children.Select(x => String(x, $"{p}.{key}"))),
                                    _ => throw Error(pv, $"{p}.{key}", "expected a value or a list"),
                                };
                            }
                            break;
                    }
                if (use.Plugin.Length == 0) throw Error(item, itemPath, "missing 'plugin:' (the plugin's name)");
                list.Add(use);
            }
            return list;
        }
    }
}

/// <summary>Where a config came from: its file and the line of each key path.</summary>
public sealed class ConfigSource(string file)
{
    public string File { get; } = file;
    public Dictionary<string, int> Lines { get; } = [];

    /// <summary>"file:line: path" for a key (or its nearest parent that has a line).</summary>
    public string Where(string path)
    {
        for (string p = path; p.Length > 0; p = Parent(p))
            if (Lines.TryGetValue(p, out int line)) return $"{File}:{line}: {path}";
        return $"{File}: {path}";
    }

    private static string Parent(string p)
    {
        int dot = p.LastIndexOf('.'), bracket = p.LastIndexOf('[');
        int cut = Math.Max(dot, bracket);
        return cut <= 0 ? "" : p[..cut];
    }
}
