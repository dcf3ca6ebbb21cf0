using NeuronHost.Core.Text;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

public enum LogLevel { Info, Warn }

/// <summary>The run's log: plugins and stages write here; the batch display prints each line,
/// the TUI shows them in its log pane. Lines are made terminal-safe here, once for every display.</summary>
public sealed class PipelineLog : IPluginLog
{
    private readonly List<(LogLevel Level, string Message)> lines = [];
    public event Action<LogLevel, string>? Written;

    public IReadOnlyList<(LogLevel Level, string Message)> Lines { get { lock (lines) return lines.ToList(); } }

    public void Info(string message) => Write(LogLevel.Info, message);
    public void Warn(string message) => Write(LogLevel.Warn, message);

    private void Write(LogLevel level, string message)
    {
        message = TerminalText.Safe(message);
        lock (lines) lines.Add((level, message));
        Written?.Invoke(level, message);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order
/// (<see cref="Progress{T}"/> would post to the thread pool and reorder updates).</summary>
public sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
