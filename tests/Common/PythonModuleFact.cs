namespace NeuronHost.Tests.Common;

/// <summary>A fact whose reference is a Python module (scipy, sklearn…): skipped with the reason
/// where python3 lacks it, unless CI requires the references (then it runs and fails).</summary>
public sealed class PythonModuleFactAttribute : FactAttribute
{
    private static readonly Dictionary<string, bool> known = [];

    public PythonModuleFactAttribute(string module)
    {
        bool available;
        lock (known)
            if (!known.TryGetValue(module, out available)) known[module] = available = PythonReference.HasModule(module);
        if (!SharedAssets.Required && !available)
            Skip = $"needs python3 with {module} (Debian python3-{module}) as the reference";
    }
}

/// <summary>A fact on the models and corpora in ../shared whose reference is a Python module:
/// skipped with the reason when either is missing (unless CI requires them).</summary>
public sealed class SharedPythonFactAttribute : FactAttribute
{
    public SharedPythonFactAttribute(string module)
    {
        if (SharedAssets.Required) return;
        if (!SharedAssets.Available) Skip = SharedAssets.SkipReason;
        else if (!PythonReference.HasModule(module)) Skip = $"needs python3 with {module} (Debian python3-{module}) as the reference";
    }
}
