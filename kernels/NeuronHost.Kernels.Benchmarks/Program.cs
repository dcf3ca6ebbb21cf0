using BenchmarkDotNet.Running;
using NeuronHost.Kernels.Benchmarks.Gpu;
using NeuronHost.Kernels.Benchmarks.Table;

// `table [--quick] [--threads N] [--out FILE]`: the one-command comparison table.
// `bdn [BenchmarkDotNet arguments]`: the BenchmarkDotNet classes (e.g. `bdn --filter *Moments*`).
// `gpu [--backend cuda] [--quick] [--repeat R]`: the ILGPU backend on a GPU vs its copy bandwidth, PyTorch CUDA and cpu-simd (Gpu/GpuBenchmarks.cs).
if (args.Length > 0 && args[0] == "table") return TableRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "gpu") return GpuBenchmarks.Run(args[1..]);
if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(TableRunner).Assembly).Run(args[1..]);
    return 0;
}
Console.Error.WriteLine("usage: dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- table [--quick] [--threads N] [--out FILE]\n" +
                        "       dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- bdn [--filter *Moments*]\n" +
                        "       dotnet run -c Release --project kernels/NeuronHost.Kernels.Benchmarks -- gpu [--backend cuda] [--quick] [--repeat R]");
return 2;
