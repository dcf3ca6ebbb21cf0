using System.Runtime.CompilerServices;

namespace NeuronHost.Tests.Common;

/// <summary>Every test run keeps its activation stores out of the user's real store cache
/// (~/.cache/neuronhost/stores): unless NEURONHOST_STORES is already set (as .ci/run does), the
/// tests and every neuronhost process they start use one folder under the system temp folder,
/// shared between runs so a store extracted once is reused.</summary>
internal static class TestStoreCache
{
    public const string Variable = "NEURONHOST_STORES";
    public static readonly string Folder = Path.Combine(Path.GetTempPath(), "neuronhost-test-stores");

    [ModuleInitializer]
    internal static void Redirect()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) return;
        Directory.CreateDirectory(Folder);
        Environment.SetEnvironmentVariable(Variable, Folder);
    }
}
