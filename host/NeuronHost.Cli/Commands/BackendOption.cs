using System.CommandLine;
using NeuronHost.Kernels;

namespace NeuronHost.Cli.Commands;

/// <summary>The one --backend option of every command that computes (rank, run, demo): unset, it
/// leaves the choice to NEURONHOST_BACKEND (or the YAML's backend:), else auto.</summary>
public static class BackendOption
{
    public static Option<string?> Create() => new("--backend")
    {
        Description = $"Kernel backend: {KernelBackends.Choices} (default: NEURONHOST_BACKEND, else auto)",
        HelpName = "BACKEND",
        Validators =
        {
            result =>
            {
                string? value = result.GetValueOrDefault<string?>();
                if (value is not null && !KernelBackends.IsKnown(value))
                    result.AddError($"--backend: '{value}' is not one of {KernelBackends.Choices}");
            },
        },
    };
}
