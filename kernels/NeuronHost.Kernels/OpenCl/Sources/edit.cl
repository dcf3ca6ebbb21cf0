// Masked intervention in place on a chunk [rows, columns]: work-item (edit index, row).
// Consecutive items touch the edited columns of one row, which are usually sorted, so the
// accesses of a group fall on few cache lines.
#define OP_ZERO 0
#define OP_SET 1
#define OP_ADD 2
#define OP_SCALE 3
#define OP_SHIFT_BY_SIGN 4

__kernel void apply_edit(
    __global float* x, const int rows, const int columns,
    __global const uchar* row_mask, const int use_mask,
    __global const int* neurons, __global const float* values, const int first, const int count, const int op)
{
    // This launch applies entries [first, first + count) of the edit list (no neuron twice).
    const int i = first + get_global_id(0), r = get_global_id(1);
    if (i >= first + count || r >= rows) return;
    if (use_mask && !row_mask[r]) return;
    const long idx = (long)r * columns + neurons[i];
    const float h = x[idx], v = values[i];
    float result;
    switch (op)
    {
        case OP_ZERO: result = 0.0f; break;
        case OP_SET: result = v; break;
        case OP_ADD: result = h + v; break;
        case OP_SCALE: result = h * v; break;
        default: result = h + (h > 0.0f ? v : -v); break;
    }
    x[idx] = result;
}
