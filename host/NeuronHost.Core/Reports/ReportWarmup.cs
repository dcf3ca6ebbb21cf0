using System.Reflection;
using System.Runtime.CompilerServices;

namespace NeuronHost.Core.Reports;

/// <summary>Compiles the report writer (HTML, SVG charts, results.json, CSVs) on a low-priority
/// background thread while an analysis runs. The host JITs every method fully optimised on first
/// call, and writing report.html of a small cancelled run took ~1.7 s at a load average of ~60,
/// most of it compiling; a run that is cancelled (Ctrl+C must end it within 2 s) or finishes then
/// writes with code that is ready. The work is the same JIT the report would do anyway, done earlier.</summary>
internal static class ReportWarmup
{
    private static int started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 1) return;
        var thread = new Thread(CompileAll) { IsBackground = true, Priority = ThreadPriority.Lowest, Name = "report warm-up" };
        thread.Start();
    }

    private static void CompileAll()
    {
        var types = typeof(ReportWarmup).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith("NeuronHost.Core.Reports", StringComparison.Ordinal) && !t.ContainsGenericParameters);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types)
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null) continue;
                try { RuntimeHelpers.PrepareMethod(method.MethodHandle); }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or TypeLoadException or BadImageFormatException) { }
            }
    }
}
