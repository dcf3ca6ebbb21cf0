using NeuronHost.Tests.Common;

namespace NeuronHost.Kernels.Tests;

/// <summary>A fact that needs python3 with numpy: skipped, with the reason, where it is missing
/// (unless CI requires the references: then it runs and fails).</summary>
public sealed class NumpyFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> available = new(() => PythonReference.HasModule("numpy"));

    public NumpyFactAttribute()
    {
        if (!SharedAssets.Required && !available.Value)
            Skip = "needs python3 with numpy (Debian python3-numpy) as the correlation reference";
    }
}
