// `opencl [--full] [--repeat R]`: CPU SIMD vs every OpenCL device (OpenClBenchmarks.cs).
if (args.Length > 0 && args[0] == "opencl") return NeuronHost.Kernels.Benchmarks.OpenClBenchmarks.Run(args[1..]);
Console.WriteLine("NeuronHost kernel benchmarks: not written yet.");
return 0;
