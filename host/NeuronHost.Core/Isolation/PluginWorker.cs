using System.Diagnostics;
using System.IO.Pipes;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Isolation;

/// <summary>The host side of one worker process: starts it, sends requests, relays its log and
/// progress, and turns everything that can go wrong — an exception, the time limit, the worker
/// dying (stack overflow, Environment.Exit, a native crash, out of memory) — into a
/// <see cref="PluginFailedException"/> that names the plugin. Cancellation kills the worker at
/// once. The worker's stdout and stderr go to the log (a bounded number of lines), never to
/// the host's own output.</summary>
internal sealed class PluginWorker : IDisposable
{
    /// <summary>Lines of a worker's stdout/stderr copied into the log; the rest are counted.</summary>
    public const int LoggedOutputLines = 20;

    // Set when the worker is bound to a plugin run; a spare worker has none yet.
    private string plugin = "(spare worker)";
    private PluginKind kind;
    private IsolationOptions options;
    private IPluginLog log = SilentLog.Instance;
    private readonly Process process;
    private readonly NamedPipeServerStream pipe;
    private readonly Task connected;
    private readonly WorkerChannel channel;
    private readonly Queue<string> lastErrorLines = new();
    private string? firstErrorLine;
    private IProgress<ProgressReport> progress = new Progress<ProgressReport>();
    private long outputLines;
    private string? failure;
    // The setup this worker was bound with (see IdleWorkers); whether its last call answered.
    private byte[]? poolKey;
    private bool lastCallAnswered = true;

    private PluginWorker(IsolationOptions options, Process process, NamedPipeServerStream pipe)
    {
        this.options = options;
        this.process = process;
        this.pipe = pipe;
        connected = pipe.WaitForConnectionAsync();
        channel = new WorkerChannel(pipe);
    }

    public bool Alive => failure is null && !process.HasExited;

    // One worker process started ahead of need (same memory limit), so a plugin call does not wait
    // for process start, runtime start-up and JIT of the worker's own code (see docs/plugin-isolation.md).
    private static readonly object spareGate = new();
    private static PluginWorker? spare;

    /// <summary>Starts a spare worker now, while the host prepares, unless one is waiting already.</summary>
    public static void Prestart(IsolationOptions options)
    {
        if (options.InProcess) return;
        lock (spareGate)
        {
            if (spare is not null && (spare.options.WorkerMemoryMb != options.WorkerMemoryMb || spare.process.HasExited))
            {
                spare.KillSpare();
                spare = null;
            }
            try { spare ??= Launch(options); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException) { spare = null; }
        }
    }

    public static void WaitForSpare()
    {
        PluginWorker? waiting;
        lock (spareGate) waiting = spare;
        try { waiting?.connected.Wait(TimeSpan.FromSeconds(60)); }
        catch (AggregateException) { }
    }

    /// <summary>Stops the spare worker (end of a command's plugin runs).</summary>
    public static void ReleaseSpare()
    {
        lock (spareGate)
        {
            spare?.KillSpare();
            spare = null;
        }
    }

    /// <summary>Stops the spare and every idle worker (end of a command's plugin runs).</summary>
    public static void ReleaseAll()
    {
        ReleaseSpare();
        IdleWorkers.Clear();
    }

    /// <summary>Ends a call's use of this worker: a healthy worker whose last call answered (no
    /// exception, no time-out, no crash) waits idle for the next call with the same setup;
    /// any other is stopped.</summary>
    public void Release()
    {
        if (poolKey is not null && lastCallAnswered && Alive && IdleWorkers.Park(poolKey, this)) return;
        Dispose();
    }

    /// <summary>Starts a worker for <paramref name="setup"/> (the spare when one is waiting) and
    /// waits until it has loaded the plugin and mapped the store; then starts the next spare.</summary>
    public static PluginWorker Start(WorkerSetup setup, string displayName, IsolationOptions options, IPluginLog log, CancellationToken cancellation)
    {
        byte[] key = IdleWorkers.Key(setup, options);
        if (IdleWorkers.Take(key) is { } idle)
        {
            // Same plugin, parameters and data as its last call: loaded, mapped and compiled already.
            WorkerTrace.Mark("host start: reused an idle worker");
            idle.plugin = displayName;
            idle.options = options;
            idle.log = log;
            idle.poolKey = key;
            return idle;
        }
        PluginWorker? worker;
        lock (spareGate)
        {
            worker = spare is not null && spare.options.WorkerMemoryMb == options.WorkerMemoryMb && !spare.process.HasExited ? spare : null;
            if (worker is not null) spare = null;
        }
        WorkerTrace.Mark(worker is null ? "host start: launching on demand" : "host start: took the spare");
        worker ??= Launch(options);
        try
        {
            worker.Bind(setup, displayName, options, log, cancellation);
        }
        catch
        {
            worker.Dispose();
            throw;
        }
        worker.poolKey = key;
        WorkerTrace.Mark("host: worker bound (ready)");
        Prestart(options);
        WorkerTrace.Mark("host: next spare launched");
        return worker;
    }

    private static PluginWorker Launch(IsolationOptions options)
    {
        string pipeName = "nh-" + Guid.NewGuid().ToString("N");
        var pipe = new NamedPipeServerStream(pipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
        var psi = WorkerLauncher.StartInfo(pipeName, options.Backend);
        if (options.WorkerMemoryMb is { } mb) psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (mb << 20).ToString("X");
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var worker = new PluginWorker(options, process, pipe);
        process.OutputDataReceived += (_, e) => worker.OnOutput("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnOutput("stderr", e.Data);
        try
        {
            WorkerTrace.Mark("host: process.Start");
            process.Start();
            WorkerTrace.Mark("host: process started");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }
        catch
        {
            try { pipe.Dispose(); } catch (IOException) { }
            process.Dispose();
            throw;
        }
    }

    private void Bind(WorkerSetup setup, string displayName, IsolationOptions runOptions, IPluginLog runLog, CancellationToken cancellation)
    {
        plugin = displayName;
        kind = setup.Kind;
        options = runOptions;
        log = runLog;
        var exited = process.WaitForExitAsync(cancellation);
        var started = Task.WhenAny(connected, exited, Task.Delay(TimeSpan.FromSeconds(60), cancellation)).GetAwaiter().GetResult();
        cancellation.ThrowIfCancellationRequested();
        if (started != connected || !pipe.IsConnected)
            throw Failure(started == exited ? "its worker process exited before connecting" : "its worker process did not start within 60 s");
        WorkerTrace.Mark("host: pipe connected");
        channel.Send(WorkerMessage.Setup, setup.Write);
        WorkerTrace.Mark("host: setup sent");
        Call(null, WorkerMessage.Ready, cancellation, startup: true);
    }

    private void KillSpare()
    {
        Kill();
        try { pipe.Dispose(); } catch (IOException) { }
        process.Dispose();
    }

    private sealed class SilentLog : IPluginLog
    {
        public static readonly SilentLog Instance = new();
        public void Info(string message) { }
        public void Warn(string message) { }
    }

    /// <summary>Sends a request and returns the body of the expected reply.</summary>
    public BinaryReader Call(WorkerMessage request, Action<BinaryWriter>? body, WorkerMessage reply,
        IProgress<ProgressReport> progressTo, CancellationToken cancellation)
    {
        if (failure is not null) throw new PluginFailedException(plugin, kind, failure);
        progress = progressTo;
        WorkerTrace.Mark($"host: sending {request}");
        try { channel.Send(request, body); }
        catch (IOException) { throw Failure(Died()); }
        lastCallAnswered = false;
        var answer = Call(request, reply, cancellation, startup: false);
        lastCallAnswered = true;
        WorkerTrace.Mark($"host: {reply} received");
        return answer;
    }

    // The label sets this worker holds, by id: a reused worker is not sent the same labels again.
    private readonly Dictionary<int, (string Task, string[] Classes, int[]?[] Labels)> labelSets = [];

    /// <summary>Sends the labels of <paramref name="data"/> as label set <paramref name="id"/>,
    /// unless this worker already holds exactly these (a reused worker, the same task).</summary>
    public void PostLabels(int id, ProbingData data)
    {
        var splits = new[] { data.Train, data.Dev, data.Test };
        if (labelSets.TryGetValue(id, out var held) && held.Task == data.Task && held.Classes.SequenceEqual(data.ClassNames)
            && Enumerable.Range(0, 3).All(i => splits[i] is null ? held.Labels[i] is null
                : held.Labels[i] is { } h && h.AsSpan().SequenceEqual(splits[i]!.Labels.Span)))
        {
            WorkerTrace.Mark("host: labels already held by the worker");
            return;
        }
        labelSets.Remove(id);
        Post(WorkerMessage.Labels, w => LabelSet.Write(w, id, data));
        labelSets[id] = (data.Task, [.. data.ClassNames], splits.Select(s => s?.Labels.ToArray()).ToArray());
    }

    /// <summary>Sends one message that needs no reply (label sets).</summary>
    public void Post(WorkerMessage message, Action<BinaryWriter> body)
    {
        if (failure is not null) throw new PluginFailedException(plugin, kind, failure);
        try { channel.Send(message, body); }
        catch (IOException) { throw Failure(Died()); }
    }

    private BinaryReader Call(WorkerMessage? request, WorkerMessage reply, CancellationToken cancellation, bool startup)
    {
        var read = Task.Factory.StartNew(() => ReadReply(reply), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool done;
        try
        {
            done = read.Wait(startup ? TimeSpan.FromSeconds(120) : options.Timeout ?? Timeout.InfiniteTimeSpan, cancellation);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1 && e.InnerExceptions[0] is PluginFailedException f)
        {
            if (!Alive) Kill();
            throw f;
        }
        if (!done)
        {
            Kill();
            throw Failure(startup
                ? "its worker did not load the plugin within 120 s"
                : $"did not finish within its time limit of {options.TimeoutText} (plugin timeout); its worker was stopped");
        }
        return read.Result;
    }

    private BinaryReader ReadReply(WorkerMessage expected)
    {
        while (true)
        {
            (WorkerMessage Type, BinaryReader Body)? message;
            try { message = channel.Receive(); }
            catch (Exception e) when (e is IOException or InvalidDataException) { message = null; }
            if (message is null) throw Failure(Died());
            var (type, body) = message.Value;
            switch (type)
            {
                case WorkerMessage.Log:
                    bool warn = body.ReadByte() == 1;
                    string text = $"{plugin}: {body.ReadString()}";
                    if (warn) log.Warn(text); else log.Info(text);
                    break;
                case WorkerMessage.Progress:
                    progress.Report(new ProgressReport(body.ReadString(), body.ReadDouble(), body.ReadDouble(), body.ReadString()));
                    break;
                case WorkerMessage.Failed:
                    string exception = body.ReadString(), reason = body.ReadString();
                    throw new PluginFailedException(plugin, kind, Describe(exception, reason));
                default:
                    if (type != expected) throw Failure($"its worker answered {type} instead of {expected}");
                    return body;
            }
        }
    }

    private static string Describe(string exception, string message)
    {
        message = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return exception is nameof(PluginInputException) or nameof(Plugins.PluginException) ? message : $"threw {exception}: {message}";
    }

    /// <summary>Why the worker is gone: its exit code (or signal) and its last stderr lines.</summary>
    private string Died()
    {
        if (!process.WaitForExit(TimeSpan.FromSeconds(5))) { Kill(); return "its worker stopped answering"; }
        process.WaitForExit(); // drains the output readers
        int code = process.ExitCode;
        string how = code switch
        {
            134 => "aborted (SIGABRT)",
            137 => "was killed (SIGKILL; the system may have run out of memory)",
            139 => "crashed (SIGSEGV)",
            > 128 and < 160 => $"was killed by signal {code - 128}",
            _ => $"exited with code {code}",
        };
        string tail;
        lock (lastErrorLines) tail = string.Join(" | ", new[] { firstErrorLine }.Concat(lastErrorLines).Where(l => l is not null).Select(l => l!.Trim()));
        if (tail.Length > 400) tail = tail[..400] + "…";
        return $"its worker process {how} (a crash, stack overflow, Environment.Exit or out of memory)" + (tail.Length > 0 ? $"; stderr: {tail}" : "");
    }

    private PluginFailedException Failure(string reason)
    {
        failure ??= reason;
        return new PluginFailedException(plugin, kind, reason);
    }

    private void OnOutput(string stream, string? line)
    {
        if (line is null) return;
        if (stream == "stderr" && line.Trim().Length > 0)
            lock (lastErrorLines)
            {
                // The runtime's own last words come first ("Stack overflow.", "Out of memory."), the frames after.
                string shortLine = line.Length > 200 ? line[..200] : line;
                if (firstErrorLine is null) firstErrorLine = shortLine;
                else lastErrorLines.Enqueue(shortLine);
                while (lastErrorLines.Count > 2) lastErrorLines.Dequeue();
            }
        long n = Interlocked.Increment(ref outputLines);
        if (n <= LoggedOutputLines) log.Info($"{plugin} ({stream}): {line}");
    }

    private void Kill()
    {
        // The worker only; walking the whole process tree reads /proc and is slow on a busy machine.
        try { if (!process.HasExited) process.Kill(); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        WorkerTrace.Mark("host: disposing worker");
        try { pipe.Dispose(); } catch (IOException) { }
        // Launch returns only started workers. (It read process.StartTime here to ask "started?": that
        // reads /proc/PID/stat and throws Win32Exception when the worker was reaped a moment before,
        // which failed a whole analysis once in CI, at its end.)
        try
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(2))) Kill();
            process.WaitForExit(TimeSpan.FromSeconds(2));
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
        long lines = Interlocked.Read(ref outputLines);
        if (lines > LoggedOutputLines) log.Info($"{plugin}: {lines - LoggedOutputLines} more line(s) of plugin output not shown");
        process.Dispose();
        WorkerTrace.Mark("host: worker disposed");
    }
}

/// <summary>How to start a worker: the running <c>neuronhost</c> executable, or
/// <c>dotnet neuronhost.dll</c> when the host runs inside another process (tests).</summary>
internal static class WorkerLauncher
{
    public const string CommandName = "plugin-worker";

    public static ProcessStartInfo StartInfo(string pipeName, string backend)
    {
        string? processPath = Environment.ProcessPath;
        ProcessStartInfo psi;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "neuronhost")
            psi = new ProcessStartInfo(processPath);
        else
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "neuronhost.dll");
            if (!File.Exists(dll)) throw new InvalidOperationException($"cannot start plugin workers: {dll} is missing (use --in-process)");
            string dotnet = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
            psi = new ProcessStartInfo(dotnet);
            psi.ArgumentList.Add(dll);
        }
        psi.ArgumentList.Add(CommandName);
        psi.ArgumentList.Add("--pipe");
        psi.ArgumentList.Add(pipeName);
        psi.ArgumentList.Add("--backend");
        psi.ArgumentList.Add(backend);
        // Workers start with tiered compilation (unless the environment says otherwise): a worker
        // JITs all of its code afresh, and fully optimising every method on first call — the host's
        // setting — cost a probeless worker on EWT ~0.9 s more at a load average of ~50. Their hot
        // loops are fully optimised on first call anyway ([MethodImpl(AggressiveOptimization)]).
        // A method is recompiled at tier 1 after 4,096 calls (0x1000; the runtime's default is 30):
        // with 30, a reused worker spent ~30-70 ms of CPU in its second call recompiling methods
        // its first call had run a few dozen times (docs/plugin-isolation.md).
        // Workstation GC without the background (concurrent) collector, conserving memory: under
        // load the background GC thread starves while the plugin thread goes on allocating (a
        // gather over a store row view makes a 32 MB row buffer per block), so garbage piled up
        // beside the live data. Blocking gen2 collections keep a worker's peak near its live data.
        foreach (var (name, value) in new[]
        {
            ("DOTNET_TieredCompilation", "1"), ("DOTNET_TieredPGO", "0"), ("DOTNET_TC_CallCountThreshold", "0x1000"),
            ("DOTNET_gcServer", "0"), ("DOTNET_gcConcurrent", "0"), ("DOTNET_GCConserveMemory", "5"),
        })
            if (Environment.GetEnvironmentVariable(name) is null) psi.Environment[name] = value;
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        return psi;
    }
}
