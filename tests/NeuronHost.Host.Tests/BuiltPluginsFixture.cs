using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>Builds, once per test run and in ONE <c>dotnet build</c>, the plugins the loading
/// tests need, in a temporary folder outside the repository: the ranking template's plugin class
/// (templates/content/ranking) and faulty plugins, all built against this repository's
/// NeuronHost.Sdk.dll (the template package itself is tested end to end in TemplatePackageTests): one for a copy of the SDK
/// with major version 2, one whose plugin type derives from a type in a dependency deleted after
/// the build, one whose constructor throws, and a library that references the SDK but has no
/// plugin class.</summary>
public sealed class BuiltPluginsFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "neuronhost-plugin-tests-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Build outputs (bin/Release/net10.0) of each project.</summary>
    public string Template => Output("MyRanking");
    public string FutureSdk => Output("faulty/Future");
    public string Broken => Output("faulty/Broken");
    public string Throws => Output("faulty/Throws");
    public string NotAPlugin => Output("faulty/NotAPlugin");
    /// <summary>A plugin whose module initializer, static constructor and constructor each call
    /// Environment.Exit(0): any host that runs its code to list it ends there.</summary>
    public string Exits => Output("faulty/Exits");
    /// <summary>A good plugin that calls into its own dependency (Dep.dll beside it).</summary>
    public string UsesDep => Output("faulty/UsesDep");

    /// <summary>The built-in plugins as the build publishes them.</summary>
    public static string BuiltInPlugins => Path.Combine(SharedAssets.RepoRoot, "artifacts", "plugins");

    public BuiltPluginsFixture()
    {
        Directory.CreateDirectory(Root);
        var repo = SharedAssets.RepoRoot;
        WriteFaultyProjects(Path.Combine(Root, "faulty"), Path.Combine(repo, "sdk", "NeuronHost.Sdk"));
        WriteTemplatePlugin(Path.Combine(Root, "MyRanking"), Path.Combine(repo, "templates", "content", "ranking", "MyRanking"));
        File.WriteAllText(Path.Combine(Root, "all.slnx"), """
            <Solution>
              <Project Path="MyRanking/MyRanking.csproj" />
              <Project Path="faulty/sdk-v2/NeuronHost.Sdk.csproj" />
              <Project Path="faulty/Future/Future.csproj" />
              <Project Path="faulty/Dep/Dep.csproj" />
              <Project Path="faulty/Broken/Broken.csproj" />
              <Project Path="faulty/Throws/Throws.csproj" />
              <Project Path="faulty/NotAPlugin/NotAPlugin.csproj" />
              <Project Path="faulty/UsesDep/UsesDep.csproj" />
              <Project Path="faulty/Exits/Exits.csproj" />
            </Solution>
            """);
        DotnetBuild.Run(Root, "all.slnx", "-c", "Release");
        // The broken plugin's base class lives in Dep.dll; without it the type cannot load.
        File.Delete(Path.Combine(Broken, "Dep.dll"));
    }

    private string Output(string project) => Path.Combine(Root, project, "bin", "Release", "net10.0");

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(Root, "run-" + Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Copies a build output into <paramref name="pluginsFolder"/>/<paramref name="name"/>/
    /// (the SDK is never copied) and returns the plugin's .dll path there.</summary>
    public static string DropIn(string buildOutput, string pluginsFolder, string name)
    {
        var target = Path.Combine(pluginsFolder, name);
        CopyDirectory(buildOutput, target, skip: f => Path.GetFileName(f).StartsWith("NeuronHost.Sdk.", StringComparison.Ordinal));
        return Path.Combine(target, name + ".dll");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void CopyDirectory(string from, string to, Func<string, bool>? skip = null)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            if (skip?.Invoke(file) == true) continue;
            var dest = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest, overwrite: true);
        }
    }

    /// <summary>The template's plugin source beside a project that references the SDK .dll
    /// (the template's own project references the NeuronHost.Sdk package).</summary>
    private static void WriteTemplatePlugin(string folder, string templateFolder)
    {
        Directory.CreateDirectory(folder);
        foreach (var cs in Directory.EnumerateFiles(templateFolder, "*.cs"))
            File.Copy(cs, Path.Combine(folder, Path.GetFileName(cs)));
        Write(folder, "MyRanking.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <EnableDynamicLoading>true</EnableDynamicLoading>
              </PropertyGroup>
              <ItemGroup><Reference Include="NeuronHost.Sdk" HintPath="{typeof(IPlugin).Assembly.Location}" Private="false" /></ItemGroup>
            </Project>
            """);
    }

    private static void WriteFaultyProjects(string root, string sdkSource)
    {
        string sdkDll = typeof(IPlugin).Assembly.Location;
        Write(root, "Directory.Build.props", """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <EnableDynamicLoading>true</EnableDynamicLoading>
                <!-- Test fixtures: compile as fast as possible. -->
                <RunAnalyzers>false</RunAnalyzers>
                <DebugType>none</DebugType>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
              </PropertyGroup>
            </Project>
            """);
        string sdkReference = $"""<Reference Include="NeuronHost.Sdk" HintPath="{sdkDll}" Private="false" />""";
        string Project(string items) => $"<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup>{items}</ItemGroup></Project>";

        // A copy of the SDK whose assembly version says major 2.
        foreach (var cs in Directory.EnumerateFiles(sdkSource, "*.cs"))
            File.Copy(cs, Path.Combine(Directory.CreateDirectory(Path.Combine(root, "sdk-v2")).FullName, Path.GetFileName(cs)));
        Write(root, "sdk-v2/NeuronHost.Sdk.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><AssemblyVersion>2.0.0.0</AssemblyVersion><Version>2.0.0</Version><EnableDynamicLoading>false</EnableDynamicLoading></PropertyGroup>
            </Project>
            """);
        Write(root, "Future/Future.csproj", Project("""<ProjectReference Include="../sdk-v2/NeuronHost.Sdk.csproj" Private="false" ExcludeAssets="runtime" />"""));
        Write(root, "Future/Future.cs", RankingSource("Future", "FutureRanking", "future-ranking", ""));

        Write(root, "Dep/Dep.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><EnableDynamicLoading>false</EnableDynamicLoading></PropertyGroup><ItemGroup>" + sdkReference + "</ItemGroup></Project>");
        Write(root, "Dep/Dep.cs", """
            using NeuronHost.Sdk;
            namespace Dep;
            public abstract class RankingBase : IRankingMethod
            {
                public abstract PluginInfo Info { get; }
                public Ranking Rank(RankingRequest request, IPluginContext context) =>
                    Ranking.FromScores(Info.Name, request.Data.Neurons, new double[request.Data.Neurons.Count]);
            }
            public static class Scores
            {
                /// <summary>n, n-1, …, 1</summary>
                public static double[] Descending(int n) => Enumerable.Range(0, n).Select(i => (double)(n - i)).ToArray();
            }
            """);
        Write(root, "UsesDep/UsesDep.csproj", Project(sdkReference + """<ProjectReference Include="../Dep/Dep.csproj" />"""));
        Write(root, "UsesDep/UsesDep.cs", """
            using NeuronHost.Sdk;
            namespace UsesDep;
            public sealed class UsesDepRanking : IRankingMethod
            {
                public PluginInfo Info { get; } = new("uses-dep", PluginKind.Ranking, "scores from its own dependency", new Version(1, 0, 0));
                public Ranking Rank(RankingRequest request, IPluginContext context) =>
                    Ranking.FromScores(Info.Name, request.Data.Neurons, Dep.Scores.Descending(request.Data.Neurons.Count));
            }
            """);
        Write(root, "Broken/Broken.csproj", Project(sdkReference + """<ProjectReference Include="../Dep/Dep.csproj" />"""));
        Write(root, "Broken/Broken.cs", """
            using NeuronHost.Sdk;
            namespace Broken;
            public sealed class BrokenRanking : Dep.RankingBase
            {
                public override PluginInfo Info { get; } = new("broken-ranking", PluginKind.Ranking, "derives from a type in Dep.dll", new Version(1, 0));
            }
            """ + RankingSource("Broken", "StillWorks", "still-works", "", withNamespace: false));

        Write(root, "Throws/Throws.csproj", Project(sdkReference));
        Write(root, "Throws/Throws.cs", RankingSource("Throws", "ThrowingRanking", "throwing-ranking",
            "public ThrowingRanking() => throw new InvalidOperationException(\"no licence file found\");"));

        Write(root, "Exits/Exits.csproj", Project(sdkReference));
        Write(root, "Exits/Exits.cs", """
            using NeuronHost.Sdk;
            namespace Exits;
            internal static class Module
            {
                [System.Runtime.CompilerServices.ModuleInitializer]
                internal static void Initialize() => Environment.Exit(0);
            }
            public sealed class ExitingRanking : IRankingMethod
            {
                static ExitingRanking() => Environment.Exit(0);
                public ExitingRanking() => Environment.Exit(0);
                public PluginInfo Info { get; } = new("exiting-ranking", PluginKind.Ranking, "exits when its code runs", new Version(2, 3, 4));
                [PluginParameter("how many")] public int Count { get; set; } = 7;
                [PluginParameter("weights")] public double[] Weights { get; set; } = [0.5, 2];
                public Ranking Rank(RankingRequest request, IPluginContext context) =>
                    Ranking.FromScores(Info.Name, request.Data.Neurons, new double[request.Data.Neurons.Count]);
            }
            """);

        Write(root, "NotAPlugin/NotAPlugin.csproj", Project(sdkReference));
        Write(root, "NotAPlugin/NotAPlugin.cs", """
            using NeuronHost.Sdk;
            namespace NotAPlugin;
            public static class Helpers
            {
                public static NeuronRef First(string hook) => new(hook, 0);
            }
            """);
    }

    private static string RankingSource(string ns, string className, string pluginName, string constructor, bool withNamespace = true) =>
        (withNamespace ? $"using NeuronHost.Sdk;\nnamespace {ns};\n" : "") + $$"""

        public sealed class {{className}} : IRankingMethod
        {
            {{constructor}}
            public PluginInfo Info { get; } = new("{{pluginName}}", PluginKind.Ranking, "test plugin {{className}}", new Version(1, 0, 0));
            public Ranking Rank(RankingRequest request, IPluginContext context) =>
                Ranking.FromScores(Info.Name, request.Data.Neurons, new double[request.Data.Neurons.Count]);
        }
        """;

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}

[CollectionDefinition(Name)]
public sealed class BuiltPluginsCollection : ICollectionFixture<BuiltPluginsFixture>
{
    public const string Name = "plugins built from source";
}
