// Per-neuron streaming statistics: min/max, histograms, top-k activating rows.
// Work-item (column, slice): the column is the fast axis (coalesced reads of one row by
// consecutive items), the slice takes rows slice, slice+S, ... of the chunk. Each item owns
// its entries of the persistent state buffers, which stay on the device across chunks (the
// compute queue is in order), so no atomics are needed.

// State layout [slice][column].
__kernel void column_min_max(
    __global const float* x, const int rows, const int columns,
    __global float* state_min, __global float* state_max,
    volatile __global int* bad_row)
{
    const int col = get_global_id(0), slice = get_global_id(1), S = get_global_size(1);
    const bool active = col < columns;
    const long o = (long)slice * columns + col;
    float mn = active ? state_min[o] : 0, mx = active ? state_max[o] : 0;
    int bad = NO_BAD_ROW;
    for (int r0 = slice; r0 < rows; r0 += S * ROW_TILE)
    {
        for (int t = 0; t < ROW_TILE; t++)
        {
            const int r = r0 + t * S;
            if (active && r < rows)
            {
                const float v = x[(long)r * columns + col];
                NOTE_NON_FINITE(bad, v, r);
                mn = fmin(mn, v);
                mx = fmax(mx, v);
            }
        }
        ROW_BARRIER();
    }
    if (!active) return;
    publish_non_finite(bad, bad_row);
    state_min[o] = mn;
    state_max[o] = mx;
}

// Equal-width bins between the column's min and max; the last bin is closed. A constant
// column puts everything in bin 0. Counts layout [slice][bin][column]: each item owns its
// counters (no atomics; coalesced along the column); the host sums the slices.
__kernel void column_histogram(
    __global const float* x, const int rows, const int columns,
    __global const float* col_min, __global const float* col_max, const int bins,
    __global uint* counts)
{
    const int col = get_global_id(0), slice = get_global_id(1), S = get_global_size(1);
    const bool active = col < columns;
    const acc_t lo = active ? col_min[col] : 0, width = active ? (acc_t)col_max[col] - lo : 0;
    const acc_t scale = width > 0 ? (acc_t)bins / width : 0;
    for (int r0 = slice; r0 < rows; r0 += S * ROW_TILE)
    {
        for (int t = 0; t < ROW_TILE; t++)
        {
            const int r = r0 + t * S;
            if (active && r < rows)
            {
                const acc_t v = x[(long)r * columns + col];
                int b = (int)floor((v - lo) * scale);
                b = clamp(b, 0, bins - 1);
                counts[((long)slice * bins + b) * columns + col]++;
            }
        }
        ROW_BARRIER();
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
    const bool active = col < columns;
    const long base = (long)slice * k * columns + col;
    float threshold = active ? top_value[base + (long)(k - 1) * columns] : INFINITY;
    int bad = NO_BAD_ROW;
    for (int r0 = slice; r0 < rows; r0 += S * ROW_TILE)
    {
      for (int t = 0; t < ROW_TILE; t++)
      {
        const int r = r0 + t * S;
        if (!active || r >= rows) continue;
        const float v = x[(long)r * columns + col];
        NOTE_NON_FINITE(bad, v, r);
        if (v > threshold && isfinite(v))
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
      ROW_BARRIER();
    }
    if (active) publish_non_finite(bad, bad_row);
}
