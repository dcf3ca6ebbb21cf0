using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Cli;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>The neuronhost commands, run in-process on the built-in plugins (given with
/// --plugins, since the test binary has no plugins folder beside it) and once as the real
/// executable.</summary>
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, Program.Commands, output, error, new CliContext { OnlyCommandLinePlugins = true });
        return (code, output.ToString(), error.ToString());
    }

    private static readonly string BuiltIn = BuiltPluginsFixture.BuiltInPlugins;

    [Fact]
    public void Version_names_the_cli_and_sdk_versions()
    {
        var (code, stdout, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Equal($"neuronhost 0.1.0 (plugin SDK {SdkVersion.Major}.{SdkVersion.Minor})", stdout.Trim());
    }

    /// <summary>A bad --cluster-rows is one line naming the option and what it takes, before any
    /// file is read (the YAML named here does not exist) or anything is written.</summary>
    [Fact]
    public void Run_with_a_bad_cluster_rows_value_says_so_in_one_line_before_reading_anything()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"nh-no-such-{Guid.NewGuid():N}", "analysis.yaml");
        var (code, stdout, stderr) = Run("run", missing, "--cluster-rows", "../here", "--plugins", BuiltIn);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: --cluster-rows '../here': write silos or coordinator", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public void Plugins_list_shows_the_random_baseline_in_a_table()
    {
        var (code, stdout, _) = Run("plugins", "list", "--plugins", BuiltIn);
        Assert.Equal(0, code);
        var header = stdout.Split('\n').First(l => l.Contains("Name"));
        foreach (var column in new[] { "Name", "Kind", "Version", "Source", "Description" }) Assert.Contains(column, header);
        var row = stdout.Split('\n').Single(l => l.Contains(" random "));
        Assert.Contains("ranking", row);
        Assert.Contains("1.0.0", row);
        Assert.Contains(Path.Combine(BuiltIn, "NeuronHost.Plugins.Baselines"), row);
        Assert.Contains("Seeded random order of the neurons", row);
    }

    [Fact]
    public void Plugins_list_json_is_machine_readable()
    {
        var (code, stdout, _) = Run("plugins", "list", "--json", "--plugins", BuiltIn);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var random = doc.RootElement.GetProperty("plugins").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "random");
        Assert.Equal("ranking", random.GetProperty("kind").GetString());
        Assert.Equal("1.0.0", random.GetProperty("version").GetString());
        Assert.Equal(Path.Combine(BuiltIn, "NeuronHost.Plugins.Baselines"), random.GetProperty("folder").GetString());
        var seed = random.GetProperty("parameters").EnumerateArray().Single();
        Assert.Equal("seed", seed.GetProperty("name").GetString());
        Assert.Equal("1", seed.GetProperty("default").GetString());
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("errors").ValueKind);
    }

    [Fact]
    public void Plugins_list_reports_bad_plugins_as_lines_after_the_table()
    {
        var folder = Path.Combine(Path.GetTempPath(), "neuronhost-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var garbage = Path.Combine(folder, "garbage.dll");
            File.WriteAllBytes(garbage, [1, 2, 3, 4]);
            var (code, stdout, stderr) = Run("plugins", "list", "--plugins", BuiltIn, "--plugins", folder);
            Assert.Equal(0, code);
            Assert.Contains(" random ", stdout);
            Assert.Contains($"plugin error: {garbage}: not a .NET assembly", stderr);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Plugins_show_lists_the_parameters()
    {
        var (code, stdout, _) = Run("plugins", "show", "random", "--plugins", BuiltIn);
        Assert.Equal(0, code);
        Assert.Contains("random — ranking plugin, version 1.0.0", stdout);
        var row = stdout.Split('\n').Single(l => l.Contains(" seed "));
        Assert.Contains("integer", row);
        Assert.Contains(" 1 ", row);
        Assert.Contains("Seed of the permutation", row);
    }

    [Fact]
    public void Unknown_plugin_is_one_error_line_and_exit_code_1()
    {
        var (code, stdout, stderr) = Run("plugins", "show", "no-such-plugin", "--plugins", BuiltIn);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("note:")).ToList();
        var line = Assert.Single(lines);
        Assert.StartsWith("error: unknown plugin 'no-such-plugin' (installed: ", line);
        Assert.Contains("random", line);
    }

    [Fact]
    public void Help_describes_the_commands_and_global_options()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var text in new[] { "plugins", "--plugins", "--json", "--version" }) Assert.Contains(text, stdout);
        var (code2, stdout2, _) = Run("plugins", "--help");
        Assert.Equal(0, code2);
        Assert.Contains("list", stdout2);
        Assert.Contains("show", stdout2);
        // A group command alone shows its help too.
        var (code3, stdout3, _) = Run("plugins");
        Assert.Equal(0, code3);
        Assert.Contains("show", stdout3);
    }

    [Fact]
    public void Parameter_option_reads_name_value_pairs()
    {
        var option = CliContext.CreateParameterOption();
        var command = new System.CommandLine.RootCommand { option };
        var values = CliContext.ParameterValues(command.Parse(["-p", "seed=3", "--param", "ks=1,2=x"]), option);
        Assert.Equal("3", values["seed"]);
        Assert.Equal("1,2=x", values["ks"]);
        var e = Assert.Throws<CliException>(() => CliContext.ParameterValues(command.Parse(["-p", "seed"]), option));
        Assert.Equal("--param 'seed' is not NAME=VALUE", e.Message);
    }

    [Fact]
    public void Progress_outside_a_terminal_runs_the_work_without_drawing()
    {
        var cli = new CliContext();
        var output = new StringWriter();
        var config = new System.CommandLine.InvocationConfiguration { Output = output };
        int result = 0;
        var root = new System.CommandLine.RootCommand();
        root.SetAction(p =>
        {
            result = CliProgress.Run(cli, p, progress =>
            {
                progress.Report(new ProgressReport("stage", 1, 2, "steps"));
                return 42;
            });
        });
        Assert.Equal(0, root.Parse([]).Invoke(config));
        Assert.Equal(42, result);
        Assert.Equal("", output.ToString());
    }

    /// <summary>The executable as built, with its own built-in plugins folder.</summary>
    [Fact]
    public async Task Executable_lists_its_built_in_plugins()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        var psi = new ProcessStartInfo(exe, ["plugins", "list", "--json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("NEURONHOST_PLUGINS");
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(Path.GetTempPath(), "neuronhost-no-config.json");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, p.ExitCode);
        using var doc = JsonDocument.Parse(await stdout);
        var random = doc.RootElement.GetProperty("plugins").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "random");
        Assert.Equal("built-in", random.GetProperty("origin").GetString());
        Assert.Equal(Path.Combine(Path.GetDirectoryName(exe)!, "plugins", "NeuronHost.Plugins.Baselines", "NeuronHost.Plugins.Baselines.dll"),
            random.GetProperty("assembly").GetString());
    }
}
