using System.Runtime.InteropServices;

namespace NeuronHost.Kernels.Blas;

/// <summary>The few OpenBLAS entry points we use (Debian's libopenblas0-pthread provides
/// libopenblas.so.0). Loaded lazily; <see cref="IsAvailable"/> is false when it is missing.</summary>
internal static unsafe partial class OpenBlasNative
{
    private const string Library = "libopenblas.so.0";
    public const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly Lazy<bool> available = new(Probe);
    public static bool IsAvailable => available.Value;

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    public static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "openblas_get_num_threads")]
    public static partial int openblas_get_num_threads();

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    public static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library, EntryPoint = "openblas_get_config")]
    public static partial nint openblas_get_config();

    private static bool Probe()
    {
        if (Environment.GetEnvironmentVariable("NEURONHOST_NO_OPENBLAS") == "1") return false;
        return NativeLibrary.TryLoad(Library, typeof(OpenBlasNative).Assembly, null, out _);
    }

    public static string Describe()
    {
        try { return $"OpenBLAS ({Marshal.PtrToStringAnsi(openblas_get_config())?.Trim()}, {openblas_get_num_threads()} threads)"; }
        catch (Exception) { return "OpenBLAS"; }
    }
}
