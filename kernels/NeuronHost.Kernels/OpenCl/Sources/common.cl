// Shared by every NeuronHost OpenCL program (prepended by the host).
// acc_t is the accumulation type: double when the device has cl_khr_fp64 (the host passes
// -DUSE_FP64=1), else float (then sums run over short row runs and are merged pairwise).
#ifdef USE_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

// Non-finite input: each work-item keeps the lowest chunk-local row where it saw a NaN or an
// infinity in a register (branch-free in the loop), and publishes it with one atomic at the
// end; the host then names the row and neuron.
#define NO_BAD_ROW 0x7fffffff
#define NOTE_NON_FINITE(bad, v, row) bad = isfinite(v) ? bad : min(bad, (row))
inline void publish_non_finite(int bad, volatile __global int* bad_row)
{
    if (bad != NO_BAD_ROW) atomic_min(bad_row, bad);
}

// Row tiling. Kernels walk rows in tiles of ROW_TILE and end each tile with ROW_BARRIER().
// On a GPU (no ROW_SYNC) that is nothing: the work-items of a warp already read one row
// together. On a CPU device (the host passes -DROW_SYNC) it is a work-group barrier, which
// makes pocl run the group's work-items over one tile of rows before the next — so the reads
// stay in cache and vectorise across columns — instead of each work-item walking down its
// whole column (a cache miss per value).
#define ROW_TILE 16
#ifdef ROW_SYNC
#define ROW_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#else
#define ROW_BARRIER()
#endif
