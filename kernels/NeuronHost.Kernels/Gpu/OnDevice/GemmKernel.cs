using ILGPU;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>Sizes, strides and scalars of one row-major GEMM C ← α·op(A)·op(B) + β·C.</summary>
internal struct GemmShape
{
    public int M, N, K, Lda, Ldb, Ldc, TransposeA, TransposeB, Tile;
    public float Alpha, Beta;
}

/// <summary>Tiled SGEMM with shared memory (used where cuBLAS is not: OpenCL GPUs and the CPU
/// accelerator). A group of Tile × Tile threads computes one Tile × Tile block of C: per step
/// along k it loads one tile of op(A) and one of op(B) into shared memory, waits at the barrier,
/// and accumulates Tile products per thread from shared memory.</summary>
internal static class GemmKernel
{
    public static void Gemm(GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var tiles = SharedMemory.GetDynamic<float>();
        int t = s.Tile, tx = Group.IdxX, ty = Group.IdxY;
        int column = Grid.IdxX * t + tx, row = Grid.IdxY * t + ty;
        int tileB = t * t;
        float acc = 0;
        for (int k0 = 0; k0 < s.K; k0 += t)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tiles[ty * t + tx] = row < s.M && ka < s.K
                ? (s.TransposeA != 0 ? a[(long)ka * s.Lda + row] : a[(long)row * s.Lda + ka]) : 0f;
            tiles[tileB + ty * t + tx] = kb < s.K && column < s.N
                ? (s.TransposeB != 0 ? b[(long)column * s.Ldb + kb] : b[(long)kb * s.Ldb + column]) : 0f;
            Group.Barrier();
            for (int q = 0; q < t; q++) acc += tiles[ty * t + q] * tiles[tileB + q * t + tx];
            Group.Barrier();
        }
        if (row < s.M && column < s.N)
        {
            long o = (long)row * s.Ldc + column;
            c[o] = s.Beta == 0 ? s.Alpha * acc : s.Alpha * acc + s.Beta * c[o];
        }
    }
}
