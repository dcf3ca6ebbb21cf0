// Tiled SGEMM in local memory: C[m, n] = beta*C + alpha * sum_k opA(m, k) * opB(k, n), row-major
// with row strides lda/ldb/ldc; a_col0 / b_col0 offset the M / N index into A / B (a column
// tile of a wider matrix; with transposes they offset the stored rows). Compile-time options:
//   TRANS_A / TRANS_B  op = transpose (A stored [K, M] / B stored [N, K])
//   CENTER             subtract mean_a[m] / mean_b[n] from every loaded element (correlation:
//                      the centred Gram matrix without a centring pass)
//   C_ACC              C has type acc_t (double when available), else float
// A work-group of RTS x RTS items computes a TS x TS tile of C, each item WPT x WPT outputs
// held in registers (a fixed-size private array). Per step it stages TK x TS tiles of A and B
// in local memory with coalesced loads: consecutive items read consecutive addresses along
// whichever axis is contiguous in memory.
#define TS 64
#define TK 16
#define WPT 4
#define RTS (TS / WPT)

#ifdef C_ACC
typedef acc_t c_t;
#else
typedef float c_t;
#endif

#ifdef TRANS_A
#define A_AT(m, k) a[(long)(k) * lda + a_col0 + (m)]
#else
#define A_AT(m, k) a[(long)(a_col0 + (m)) * lda + (k)]
#endif
#ifdef TRANS_B
#define B_AT(k, n) b[(long)(b_col0 + (n)) * ldb + (k)]
#else
#define B_AT(k, n) b[(long)(k) * ldb + b_col0 + (n)]
#endif

__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void gemm_tiled(const int M, const int N, const int K, const float alpha,
    __global const float* a, const int lda, const int a_col0,
    __global const float* b, const int ldb, const int b_col0,
    const float beta, __global c_t* c, const int ldc,
    __global const float* mean_a, __global const float* mean_b)
{
    __local float As[TK][TS];
    __local float Bs[TK][TS];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int n0 = get_group_id(0) * TS, m0 = get_group_id(1) * TS;
    const int tid = ty * RTS + tx;

    float acc[WPT][WPT];
    for (int i = 0; i < WPT; i++)
        for (int j = 0; j < WPT; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TK)
    {
        for (int l = 0; l < (TK * TS) / (RTS * RTS); l++)
        {
            const int e = tid + l * RTS * RTS;
#ifdef TRANS_A
            const int ak = e / TS, am = e % TS;     // contiguous along m
#else
            const int ak = e % TK, am = e / TK;     // contiguous along k
#endif
            float va = 0.0f;
            if (m0 + am < M && k0 + ak < K)
            {
                va = A_AT(m0 + am, k0 + ak);
#ifdef CENTER
                va -= mean_a[a_col0 + m0 + am];
#endif
            }
            As[ak][am] = va;
#ifdef TRANS_B
            const int bk = e % TK, bn = e / TK;     // contiguous along k
#else
            const int bk = e / TS, bn = e % TS;     // contiguous along n
#endif
            float vb = 0.0f;
            if (n0 + bn < N && k0 + bk < K)
            {
                vb = B_AT(k0 + bk, n0 + bn);
#ifdef CENTER
                vb -= mean_b[b_col0 + n0 + bn];
#endif
            }
            Bs[bk][bn] = vb;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++)
        {
            float bv[WPT];
            for (int j = 0; j < WPT; j++) bv[j] = Bs[kk][tx + j * RTS];
            for (int i = 0; i < WPT; i++)
            {
                const float av = As[kk][ty + i * RTS];
                for (int j = 0; j < WPT; j++) acc[i][j] = fma(av, bv[j], acc[i][j]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < WPT; i++)
    {
        const int m = m0 + ty + i * RTS;
        if (m >= M) continue;
        for (int j = 0; j < WPT; j++)
        {
            const int n = n0 + tx + j * RTS;
            if (n >= N) continue;
            const long o = (long)m * ldc + n;
            const c_t prev = beta != 0.0f ? c[o] * (c_t)beta : (c_t)0;
            c[o] = prev + (c_t)alpha * (c_t)acc[i][j];
        }
    }
}

// Per row m of the centred Gram matrix g [M, N] (acc_t), max over n of |g[m, n]| * inv_a[m] *
// inv_b[n] (inv = 1 / sqrt(rows * variance), 0 for a constant column): one work-group per row, a tree
// reduction in local memory.
__kernel void max_abs_correlation(
    __global const c_t* g, const int M, const int N, const int ldg,
    __global const acc_t* inv_a, __global const acc_t* inv_b,
    __global acc_t* out, __local acc_t* scratch)
{
    const int m = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    acc_t best = 0;
    if (m < M)
    {
        const acc_t ia = inv_a[m];
        for (int n = lid; n < N; n += L)
            best = fmax(best, fabs((acc_t)g[(long)m * ldg + n]) * ia * inv_b[n]);
    }
    scratch[lid] = best;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1)
    {
        if (lid < s) scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && m < M) out[m] = scratch[0];
}
