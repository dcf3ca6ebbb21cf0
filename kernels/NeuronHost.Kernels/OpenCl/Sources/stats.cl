// Per-neuron streaming statistics: min/max, histograms, top-k activating rows.
// Work-item (column, slice): the column is the fast axis (coalesced reads of one row by
// consecutive items), the slice takes rows slice, slice+S, ... of the chunk. Each item owns
// its entries of the persistent state buffers, which stay on the device across chunks (the
// compute queue is in order), so no atomics are needed except for histogram bins.

// State layout [slice][column].
__kernel void column_min_max(
    __global const float* x, const int rows, const int columns,
    __global float* state_min, __global float* state_max,
    volatile __global int* bad_row)
{
    const int col = get_global_id(0), slice = get_global_id(1), S = get_global_size(1);
    if (col >= columns) return;
    const long o = (long)slice * columns + col;
    float mn = state_min[o], mx = state_max[o];
    for (int r = slice; r < rows; r += S)
    {
        const float v = x[(long)r * columns + col];
        flag_non_finite(v, r, bad_row);
        mn = fmin(mn, v);
        mx = fmax(mx, v);
    }
    state_min[o] = mn;
    state_max[o] = mx;
}

// Equal-width bins between the column's min and max; the last bin is closed. A constant
// column puts everything in bin 0. Counts layout [bin][column] (coalesced).
__kernel void column_histogram(
    __global const float* x, const int rows, const int columns,
    __global const float* col_min, __global const float* col_max, const int bins,
    volatile __global uint* counts)
{
    const int col = get_global_id(0), slice = get_global_id(1), S = get_global_size(1);
    if (col >= columns) return;
    const acc_t lo = col_min[col], width = (acc_t)col_max[col] - lo;
    const acc_t scale = width > 0 ? (acc_t)bins / width : 0;
    for (int r = slice; r < rows; r += S)
    {
        const acc_t v = x[(long)r * columns + col];
        int b = (int)floor((v - lo) * scale);
        b = clamp(b, 0, bins - 1);
        atomic_inc(&counts[(long)b * columns + col]);
    }
}

// The k largest values per column and their rows, per slice, highest first; state layout
// [slice][rank][column]. A value enters only when strictly larger than the current k-th, and
// moves above entries strictly smaller than it, so equal values keep the lower row first.
__kernel void column_top_rows(
    __global const float* x, const int rows, const int columns, const long first_row, const int k,
    __global float* top_value, __global long* top_row,
    volatile __global int* bad_row)
{
    const int col = get_global_id(0), slice = get_global_id(1), S = get_global_size(1);
    if (col >= columns) return;
    const long base = (long)slice * k * columns + col;
    float threshold = top_value[base + (long)(k - 1) * columns];
    for (int r = slice; r < rows; r += S)
    {
        const float v = x[(long)r * columns + col];
        if (!isfinite(v)) { atomic_min(bad_row, r); continue; }
        if (v > threshold)
        {
            int j = k - 1;
            while (j > 0 && top_value[base + (long)(j - 1) * columns] < v)
            {
                top_value[base + (long)j * columns] = top_value[base + (long)(j - 1) * columns];
                top_row[base + (long)j * columns] = top_row[base + (long)(j - 1) * columns];
                j--;
            }
            top_value[base + (long)j * columns] = v;
            top_row[base + (long)j * columns] = first_row + r;
            threshold = top_value[base + (long)(k - 1) * columns];
        }
    }
}
