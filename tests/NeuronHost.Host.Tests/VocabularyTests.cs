using System.CommandLine;
using System.Text.RegularExpressions;
using NeuronHost.Cli;

namespace NeuronHost.Host.Tests;

/// <summary>One naming convention on the command line: every command and option of every
/// command is lower-case kebab-case (--max-sentences, never --maxSentences or --max_sentences).</summary>
public sealed partial class VocabularyTests
{
    [GeneratedRegex("^--[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex LongOption();
    [GeneratedRegex("^-[a-zA-Z?]$")]
    private static partial Regex ShortOption();
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CommandName();

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Commands(sub, $"{path} {sub.Name}")) yield return c;
    }

    [Fact]
    public void Every_command_and_option_is_kebab_case()
    {
        var root = CliApp.BuildRoot(Program.Commands, new CliContext());
        var bad = new List<string>();
        int options = 0;
        foreach (var (path, command) in Commands(root, "neuronhost"))
        {
            if (command != root && !CommandName().IsMatch(command.Name)) bad.Add($"{path}: command name");
            foreach (var option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption))   // -h, /h, /? are the library's
                foreach (var name in option.Aliases.Append(option.Name))
                {
                    options++;
                    if (!LongOption().IsMatch(name) && !ShortOption().IsMatch(name)) bad.Add($"{path}: {name}");
                }
        }
        Assert.True(options > 40, $"only {options} option names found");
        Assert.True(bad.Count == 0, "not kebab-case: " + string.Join("; ", bad));
    }
}
