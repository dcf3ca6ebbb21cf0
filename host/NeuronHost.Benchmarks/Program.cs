using System.CommandLine;
using BenchmarkDotNet.Running;
using NeuronHost.Benchmarks;
using NeuronHost.Benchmarks.Gpu;
using NeuronHost.Benchmarks.KernelTable;

// The benchmarks program. `neuronhost bench NAME …` runs it with the same arguments.
//   kernels [--quick] [--threads N] [--rounds R] [--only …] [--out FILE]   the kernel table
//   forward | store | probes …                                           see --help of each
//   all [--quick] [--out docs/benchmarks.md]                             everything, one document
//   gpu [--backend cuda] [--quick] [--repeat R]                          the ILGPU backend on a GPU
//   bdn [BenchmarkDotNet arguments]                                      e.g. bdn --filter *Moments*
if (args.Length > 0 && args[0] == "kernels") return TableRunner.Run(args[1..]);
if (args.Length > 0 && args[0] == "gpu") return GpuBenchmarks.Run(args[1..]);
if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(TableRunner).Assembly).Run(args[1..]);
    return 0;
}
return BenchCommands.Root().Parse(args).Invoke();
