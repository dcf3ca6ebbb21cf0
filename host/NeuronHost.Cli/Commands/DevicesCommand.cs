using System.CommandLine;
using NeuronHost.Kernels;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost devices</c>: the kernel backends this machine has (cpu-simd, the CUDA
/// and OpenCL devices ILGPU finds with memory and compute capability, ILGPU's CPU accelerator),
/// and which one "auto" picks and why.</summary>
public sealed class DevicesCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var command = new Command("devices", $"List the compute backends: CPU SIMD, the CUDA and OpenCL devices ILGPU finds, and ILGPU's CPU accelerator (choose with --backend or {KernelBackends.EnvironmentVariable}: {KernelBackends.Choices})");
        var backend = new Option<string>("--backend") { Description = $"Also say what this choice picks and why ({KernelBackends.Choices})", DefaultValueFactory = _ => "auto" };
        command.Options.Add(backend);
        command.SetAction(parse =>
        {
            var devices = KernelBackends.ListDevices();
            string choice = parse.GetValue(backend) ?? "auto";
            var auto = KernelBackends.Create(choice);
            (auto.Kernels as IDisposable)?.Dispose();
            if (cli.Json(parse))
            {
                cli.WriteJson(parse, new { devices = devices.Select(d => new { id = d.Id, kind = d.Kind, description = d.Description }), auto = auto.Kernels.Backend, notice = auto.Notice });
                return 0;
            }
            var output = cli.Out(parse);
            foreach (var device in devices) output.WriteLine(device.ToString());
            output.WriteLine($"{choice} picks: {auto.Kernels.Backend}{(string.IsNullOrEmpty(auto.Notice) ? "" : $" ({auto.Notice})")}");
            return 0;
        });
        return command;
    }
}
