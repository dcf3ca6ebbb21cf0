using System.Runtime.ExceptionServices;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>Runs an in-process plugin call on its own thread so the host can stop waiting for it:
/// on a timeout the call is reported as failed, on cancellation the host goes on at once. A .NET
/// thread cannot be aborted, so the abandoned call keeps running in the background until the
/// process exits — which is why plugins run out of process unless asked otherwise.</summary>
public static class GuardedCall
{
    public static T Run<T>(string plugin, PluginKind kind, TimeSpan? timeout, CancellationToken cancellation, Func<T> call)
    {
        var task = Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool finished;
        try
        {
            finished = task.Wait(timeout ?? Timeout.InfiniteTimeSpan, cancellation);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        if (!finished)
            throw new PluginFailedException(plugin, kind, $"did not finish within its time limit of {timeout!.Value.TotalSeconds:0.###} s (plugin timeout); its thread was abandoned");
        return task.Result;
    }
}
