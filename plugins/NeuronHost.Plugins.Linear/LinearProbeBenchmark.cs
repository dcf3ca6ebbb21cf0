using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Our elastic-net probe (FISTA, full batch, SGEMM) vs NeuroX's trainer algorithm
/// (Adam, 10 epochs, batch 32, PyTorch; scripts/bench/neurox_linear_probe.py) on the same
/// data and objective, printed side by side.</summary>
public static class LinearProbeBenchmark
{
    public sealed record Result(double OurSeconds, double OurDev, int OurIterations, double TheirSeconds, double TheirDev);

    public static Result Run(float[] trainX, int[] trainY, float[] devX, int[] devY, int features, int classes,
        IComputeKernels kernels, string pythonScript, TextWriter output, double l1 = 1e-5, double l2 = 1e-5,
        string python = "python3", double tolerance = 1e-4)
    {
        int nt = trainY.Length, nd = devY.Length;
        var dir = Path.Combine(Path.GetTempPath(), "neuronhost-bench-linear-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        Write(Path.Combine(dir, "train_x.bin"), trainX); Write(Path.Combine(dir, "train_y.bin"), trainY);
        Write(Path.Combine(dir, "dev_x.bin"), devX); Write(Path.Combine(dir, "dev_y.bin"), devY);
        output.WriteLine($"linear probe: {nt} train / {nd} dev tokens, {features} neurons, {classes} classes, λ1={l1:g3} λ2={l2:g3}");

        // ours: warm-up on a slice (JIT, OpenBLAS threads), then the timed run
        var options = new ElasticNetOptions { L1 = l1, L2 = l2, Tolerance = tolerance, MaxIterations = 500 };
        int warm = Math.Min(nt, 2000);
        ElasticNetTrainer.Fit(trainX.AsSpan(0, warm * features).ToArray(), warm, features, trainY.AsSpan(0, warm), classes, options with { MaxIterations = 5 }, kernels);
        var sw = Stopwatch.StartNew();
        var model = ElasticNetTrainer.Fit((float[])trainX.Clone(), nt, features, trainY, classes, options, kernels);
        double ourSeconds = sw.Elapsed.TotalSeconds;
        var devMatrix = new DenseActivationMatrix(devX, nd, features);
        double ourDev = LinearProbeData.Accuracy(
            LinearProbeData.Predict(model, devMatrix, Enumerable.Range(0, features).ToArray(), kernels, default), devY);

        var psi = new ProcessStartInfo(python) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.GetFullPath(pythonScript), features.ToString(CultureInfo.InvariantCulture), classes.ToString(CultureInfo.InvariantCulture),
                     l1.ToString("R", CultureInfo.InvariantCulture), l2.ToString("R", CultureInfo.InvariantCulture), "10", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (Environment.GetEnvironmentVariable("PYENV_VERSION") is null) psi.Environment["PYENV_VERSION"] = "system";
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{pythonScript} failed: {stderr}");
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        double theirSeconds = json.RootElement.GetProperty("seconds").GetDouble();
        double theirDev = json.RootElement.GetProperty("dev_accuracy").GetDouble();

        output.WriteLine($"  {"",-34} {"seconds",10} {"dev acc",9}");
        output.WriteLine($"  {"NeuronHost FISTA (" + model.Iterations + " iterations)",-34} {ourSeconds,10:F2} {ourDev,9:P2}");
        output.WriteLine($"  {"NeuroX Adam, 10 epochs, batch 32",-34} {theirSeconds,10:F2} {theirDev,9:P2}");
        output.WriteLine($"  speed-up {theirSeconds / ourSeconds:F1}×, dev accuracy difference {100 * (ourDev - theirDev):+0.00;-0.00} pt");
        return new Result(ourSeconds, ourDev, model.Iterations, theirSeconds, theirDev);
    }

    private static void Write<T>(string path, T[] values) where T : unmanaged
    {
        using var f = File.Create(path);
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
