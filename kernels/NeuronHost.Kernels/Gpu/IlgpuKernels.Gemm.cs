using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NeuronHost.Kernels.Gpu.OnDevice;

namespace NeuronHost.Kernels.Gpu;

public sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, KernelConfig, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>? gemmKernel;

    /// <summary>Tile edge of the shared-memory GEMM: 16 × 16 threads on a GPU, 8 × 8 on the CPU
    /// accelerator (whose groups are simulated by OS threads).</summary>
    private int GemmTile => IsGpu ? 16 : 4;

    /// <summary>Row-major C ← α·op(A)·op(B) + β·C on device views, enqueued on
    /// <paramref name="stream"/>: cuBLAS SGEMM on CUDA (as the column-major product
    /// Cᵀ = op(B)ᵀ·op(A)ᵀ), else the tiled shared-memory kernel.</summary>
    private void DeviceGemm(AcceleratorStream stream, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        if (cuBlas is not null)
        {
            cuBlas.Stream = (ILGPU.Runtime.Cuda.CudaStream)stream;
            cuBlas.Gemm(transposeB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                transposeA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
            return;
        }
        gemmKernel ??= Accelerator.LoadKernel<GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel.Gemm);
        int t = GemmTile;
        var shape = new GemmShape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, Tile = t,
            TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0, Alpha = alpha, Beta = beta,
        };
        var config = new KernelConfig(new Index2D((n + t - 1) / t, (m + t - 1) / t), new Index2D(t, t), SharedMemoryConfig.RequestDynamic<float>(2 * t * t));
        gemmKernel(stream, config, shape, a, b, c);
    }

    /// <summary>Row-major SGEMM on the device (operands uploaded whole).</summary>
    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        using var serial = Serialize();
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"negative GEMM size {m}×{n}×{k}");
        Check("A", transposeA ? k : m, transposeA ? m : k, a.Length, lda);
        Check("B", transposeB ? n : k, transposeB ? k : n, b.Length, ldb);
        Check("C", m, n, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0) row.Clear(); else for (int j = 0; j < n; j++) row[j] *= beta;
            }
            return;
        }
        long aLength = Extent(transposeA ? k : m, transposeA ? m : k, lda), bLength = Extent(transposeB ? n : k, transposeB ? k : n, ldb);
        long cLength = Extent(m, n, ldc);
        using var ab = Accelerator.Allocate1D<float>(aLength);
        using var bb = Accelerator.Allocate1D<float>(bLength);
        using var cb = Accelerator.Allocate1D<float>(cLength);
        var stream = Accelerator.DefaultStream;
        ab.View.CopyFromCPU(stream, a[..(int)aLength]);
        bb.View.CopyFromCPU(stream, b[..(int)bLength]);
        cb.View.CopyFromCPU(stream, c[..(int)cLength]);
        DeviceGemm(stream, transposeA, transposeB, m, n, k, alpha, ab.View, lda, bb.View, ldb, beta, cb.View, ldc);
        cb.View.CopyToCPU(stream, c[..(int)cLength]);
        stream.Synchronize();

        static long Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        static void Check(string name, int rows, int cols, int length, int ld)
        {
            if (rows == 0 || cols == 0) return;
            if (ld < cols) throw new ArgumentException($"GEMM {name}: row stride {ld} < {cols} columns");
            if ((long)(rows - 1) * ld + cols > length)
                throw new ArgumentException($"GEMM {name}: {rows}×{cols} with stride {ld} needs more than {length} values");
        }
    }
}
