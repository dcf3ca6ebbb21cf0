// Class moments, one chunk of rows at a time.
//
// The host sorts the chunk's rows by class (counting sort of the labels) and cuts each class's
// run into tasks of at most TASK_ROWS rows. A work-group is LX columns x LY row lanes of one
// task: work-item (column, lane) reads rows lane, lane+LY, ... of the task, so the LX items of
// a lane read LX consecutive floats of the same row (coalesced along the neuron axis; the row
// index is the same for the whole lane, a broadcast). Each item keeps shifted sums in double
// registers (shift = the task's first value, which removes the cancellation of sum-of-squares)
// or, without fp64, a float Welford mean and M2 over its at most TASK_ROWS/LY rows,
// then the LY lanes are merged in local memory (Chan et al.) and the task's mean, M2, min and
// max per column are written out. The host merges tasks and chunks in float64.
__kernel void class_moments(
    __global const float* x, const int columns,
    __global const int* row_index,        // chunk-local rows grouped by class
    __global const int4* tasks,           // (group, start in row_index, count, unused)
    __global acc_t* out_mean, __global acc_t* out_m2,   // [task, column]
    __global float* out_min, __global float* out_max,   // [task, column]
    volatile __global int* bad_row,
    __local acc_t* l_mean, __local acc_t* l_m2, __local float* l_min, __local float* l_max)
{
    const int col = get_global_id(0);
    const int lx = get_local_id(0), lane = get_local_id(1);
    const int LX = get_local_size(0), LY = get_local_size(1);
    const int task = get_group_id(1);
    const int4 t = tasks[task];
    const int start = t.y, count = t.z;

    acc_t shift = 0, s = 0, sq = 0;      // double path: sums shifted by the task's first value
    float w_mean = 0, w_m2 = 0;          // float path: Welford (a float sum of values near FLT_MAX overflows)
    float mn = INFINITY, mx = -INFINITY;
    int n = 0, bad = NO_BAD_ROW;
    const bool active = col < columns;
    if (active && count > 0) shift = (acc_t)x[(long)row_index[start] * columns + col];
    // Lane l reads rows l, l+LY, ... of the task, in tiles (the loop bounds are uniform over
    // the work-group, so the tile barrier is legal).
    for (int i0 = 0; i0 < count; i0 += LY * ROW_TILE)
    {
        for (int t = 0; t < ROW_TILE; t++)
        {
            const int i = i0 + t * LY + lane;
            if (active && i < count)
            {
                const int r = row_index[start + i];
                const float v = x[(long)r * columns + col];
                NOTE_NON_FINITE(bad, v, r);
#ifdef USE_FP64
                const acc_t d = (acc_t)v - shift;
                s += d;
                sq += d * d;
#else
                // Halved difference: |v/2 - mean/2| <= FLT_MAX, so the mean stays finite.
                const float hd = 0.5f * v - 0.5f * w_mean;
                const float next = w_mean + hd * (2.0f / (float)(n + 1));
                w_m2 += (v - w_mean) * (v - next);
                w_mean = next;
#endif
                mn = fmin(mn, v);
                mx = fmax(mx, v);
                n++;
            }
        }
        ROW_BARRIER();
    }
    publish_non_finite(bad, bad_row);
    const int slot = lane * LX + lx;
#ifdef USE_FP64
    l_mean[slot] = n > 0 ? shift + s / n : 0;
    l_m2[slot] = n > 0 ? fmax(sq - s * s / n, (acc_t)0) : 0;
#else
    l_mean[slot] = w_mean;
    l_m2[slot] = w_m2;
#endif
    l_min[slot] = mn;
    l_max[slot] = mx;
    barrier(CLK_LOCAL_MEM_FENCE);

    if (lane == 0 && col < columns)
    {
        // Lane l holds rows l, l+LY, ...: its count is known without storing it.
        acc_t na = (acc_t)n, mean = l_mean[lx], m2 = l_m2[lx];
        for (int l = 1; l < LY; l++)
        {
            const int nl = count > l ? (count - l + LY - 1) / LY : 0;
            if (nl == 0) continue;
            const acc_t nb = (acc_t)nl, mb = l_mean[l * LX + lx];
            const acc_t delta = mb - mean, nab = na + nb;
            mean += delta * nb / nab;
            m2 += l_m2[l * LX + lx] + delta * delta * na * nb / nab;
            na = nab;
            mn = fmin(mn, l_min[l * LX + lx]);
            mx = fmax(mx, l_max[l * LX + lx]);
        }
        const long o = (long)task * columns + col;
        out_mean[o] = mean;
        out_m2[o] = m2;
        out_min[o] = mn;
        out_max[o] = mx;
    }
}
