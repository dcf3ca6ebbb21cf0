namespace NeuronHost.Sdk;

/// <summary>A probe that can be trained and scored while the task's rows stay on the hosts that
/// extracted them (a cluster's silos): the probe × ranking grid then runs without a row leaving
/// them. The holders keep the train, dev and test rows with the labels of one labelling (the task's,
/// or the control task's: the host opens one line per labelling); every cell of the grid is one
/// <see cref="TrainOverHeldRows"/> on the coordinator, talking to the holders only through
/// <see cref="IRowHolders"/> (whose ranges are the train rows'), each holder answering with the
/// <see cref="IHeldRowsService"/> of <see cref="Serve"/>. (SDK 1.4)</summary>
public interface IProbeOverHeldRows : IProbe
{
    /// <summary>Null when this use (its parameters as set) can run over held rows; else, in a few
    /// words, what needs the rows in one place.</summary>
    string? WhyRowsNeeded();

    /// <summary>On the coordinator: trains on the train rows' <paramref name="columns"/> and scores
    /// every split, as <see cref="IProbe.Train"/> and predicting would on the same rows.</summary>
    HeldProbeScores TrainOverHeldRows(HeldRowsTask task, IReadOnlyList<int> columns, IRowHolders holders, IPluginContext context);

    /// <summary>On a holder: the service that answers this plugin's messages over the rows it
    /// holds (train in <see cref="HeldRows.Parts"/>, then <see cref="HeldRows.Dev"/> and <see cref="HeldRows.Test"/>).</summary>
    IHeldRowsService Serve(HeldRows rows, IPluginContext context);
}

/// <summary>A probe's accuracy on each split (NaN where the split has no rows: correct ÷ rows,
/// every row counted) and, for the held-out split — test, else dev, else train — whether it got
/// each row right, in the split's order (the items of the grid's paired tests).</summary>
public sealed record HeldProbeScores(double Train, double Dev, double Test, bool[] HeldOutCorrect);
