using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Labels the stored words for the task and splits them (the corpus's own splits when
/// it has a train split, else a seeded random split by the configured fractions).</summary>
public sealed class BuildTaskStage : IPipelineStage
{
    public string Name => "build task";

    public void Run(PipelineState s)
    {
        s.Progress.Report(new ProgressReport(Name, 0, 1, "tasks"));
        var c = s.Config;
        var task = s.Store is null && s.RowsElsewhere is { } elsewhere
            ? StoreTaskData.Build(elsewhere, TaskSpec.Parse(c.Task.Name), Options(c))
            : StoreTaskData.Build(s.Need(s.Store, "the activation store"), TaskSpec.Parse(c.Task.Name), Options(c));
        s.Task = task;
        var id = s.Results.Identity;
        id.Task = task.Task.Name;
        id.Classes = task.Data.ClassNames.ToList();
        id.TrainTokens = task.Data.Train.Tokens;
        id.DevTokens = task.Data.Dev?.Tokens ?? 0;
        id.TestTokens = task.Data.Test?.Tokens ?? 0;
        s.Log.Info($"task {task.Task.Name}: {id.Classes.Count} classes, {id.TrainTokens}/{id.DevTokens}/{id.TestTokens} words (train/dev/test)" +
            (task.Task.DroppedClasses.Count > 0 ? $"; dropped rare classes {string.Join(", ", task.Task.DroppedClasses)}" : ""));
        s.Progress.Report(new ProgressReport(Name, 1, 1, "tasks"));
    }

    /// <summary>The task options of a config (a cluster's coordinator builds the same task before extraction).</summary>
    public static TaskOptions Options(Config.AnalysisConfig c) => new()
    {
        MinCount = c.Task.MinClassCount,
        TrainFraction = c.Corpus.Split[0],
        DevFraction = c.Corpus.Split[1],
        Seed = c.Seed,
    };
}
