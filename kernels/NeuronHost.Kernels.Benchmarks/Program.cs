using BenchmarkDotNet.Running;
using NeuronHost.Kernels.Benchmarks;
using NeuronHost.Kernels.Benchmarks.Table;

// `table [--quick] [--threads N] [--out FILE]`: the one-command comparison table.
// `bdn [BenchmarkDotNet arguments]`: the BenchmarkDotNet classes (e.g. `bdn --filter *Moments*`).
// `opencl [--full] [--repeat R] [--kernel NAME] [--no-cpu]`: cpu-simd vs every OpenCL device (OpenClBenchmarks.cs).
if (args.Length > 0 && args[0] == "table") return TableRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "opencl") return OpenClBenchmarks.Run(args[1..]);
if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(TableRunner).Assembly).Run(args[1..]);
    return 0;
}
Console.Error.WriteLine("usage: dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- table [--quick] [--threads N] [--out FILE]\n" +
                        "       dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- bdn [--filter *Moments*]\n" +
                        "       dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- opencl [--full] [--repeat R] [--kernel NAME] [--no-cpu]");
return 2;
