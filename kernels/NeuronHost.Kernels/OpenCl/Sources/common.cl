// Shared by every NeuronHost OpenCL program (prepended by the host).
// acc_t is the accumulation type: double when the device has cl_khr_fp64 (the host passes
// -DUSE_FP64=1), else float (then sums run over short row runs and are merged pairwise).
#ifdef USE_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

// Records the first (lowest) chunk-local row holding a NaN or an infinity; the host then
// names the row and neuron.
inline void flag_non_finite(float v, int row, volatile __global int* bad_row)
{
    if (!isfinite(v)) atomic_min(bad_row, row);
}
