using System.CommandLine;
using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost report DIR</c>: writes a run folder's report.html again from its
/// results.json — after an upgrade of the report, without re-running the analysis.</summary>
public sealed class ReportCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var command = new Command("report", "Write report.html again from a run folder's results.json (no analysis is re-run)");
        var dir = new Argument<string>("DIR") { Description = "A results folder written by 'run', 'rank' or 'demo'" };
        command.Arguments.Add(dir);
        command.SetAction(parse =>
        {
            string path;
            try { path = ReportFolder.Rerender(parse.GetRequiredValue(dir)); }
            catch (InvalidDataException e) { throw new CliException(e.Message); }
            if (cli.Json(parse)) { cli.WriteJson(parse, new { report = path }); return 0; }
            cli.Out(parse).WriteLine($"report: {path}");
            return 0;
        });
        return command;
    }
}
