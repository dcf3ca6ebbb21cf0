namespace NeuronHost.Benchmarks.KernelTable;

/// <summary>What a straightforward C# implementation looks like: scalar loops, one thread,
/// float64 sums. The "naive C#" column of the table.</summary>
internal static class NaiveKernels
{
    public static void ClassMoments(float[] x, int rows, int cols, int[] labels, int classes)
    {
        var counts = new long[classes + 1];
        var s1 = new double[(classes + 1) * cols];
        var s2 = new double[(classes + 1) * cols];
        var min = new float[cols];
        var max = new float[cols];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            int c = labels[r] < 0 ? classes : labels[r];
            counts[c]++;
            for (int j = 0; j < cols; j++)
            {
                float v = x[(long)r * cols + j];
                s1[c * cols + j] += v;
                s2[c * cols + j] += (double)v * v;
                if (v < min[j]) min[j] = v;
                if (v > max[j]) max[j] = v;
            }
        }
        GC.KeepAlive(s2);
    }

    public static void AddMasked(float[] x, int rows, int cols, bool[] mask, int[] neurons, float[] values)
    {
        for (int r = 0; r < rows; r++)
        {
            if (!mask[r]) continue;
            for (int i = 0; i < neurons.Length; i++) x[(long)r * cols + neurons[i]] += values[i];
        }
    }

    /// <summary>Pearson correlation by the definition over the first <paramref name="rows"/> rows.</summary>
    public static void Correlation(float[] a, float[] b, int rows, int d1, int d2)
    {
        var ma = new double[d1];
        var mb = new double[d2];
        for (int t = 0; t < rows; t++)
        {
            for (int i = 0; i < d1; i++) ma[i] += a[(long)t * d1 + i];
            for (int j = 0; j < d2; j++) mb[j] += b[(long)t * d2 + j];
        }
        for (int i = 0; i < d1; i++) ma[i] /= rows;
        for (int j = 0; j < d2; j++) mb[j] /= rows;
        var sab = new double[(long)d1 * d2];
        var saa = new double[d1];
        var sbb = new double[d2];
        for (int t = 0; t < rows; t++)
        {
            for (int i = 0; i < d1; i++)
            {
                double u = a[(long)t * d1 + i] - ma[i];
                saa[i] += u * u;
                for (int j = 0; j < d2; j++) sab[(long)i * d2 + j] += u * (b[(long)t * d2 + j] - mb[j]);
            }
            for (int j = 0; j < d2; j++) { double w = b[(long)t * d2 + j] - mb[j]; sbb[j] += w * w; }
        }
        GC.KeepAlive(sab);
    }

    public static void TopRows(float[] x, int rows, int cols, int k)
    {
        var vals = new float[cols * k];
        var idx = new long[cols * k];
        var size = new int[cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                float v = x[(long)r * cols + j];
                int n = size[j];
                if (n == k && v <= vals[j * k + k - 1]) continue;
                // Insertion into the sorted (descending) list of neuron j.
                int p = n < k ? n++ : k - 1;
                while (p > 0 && vals[j * k + p - 1] < v) { vals[j * k + p] = vals[j * k + p - 1]; idx[j * k + p] = idx[j * k + p - 1]; p--; }
                vals[j * k + p] = v; idx[j * k + p] = r;
                size[j] = n;
            }
    }

    public static void Histograms(float[] x, int rows, int cols, int bins)
    {
        var min = new float[cols];
        var max = new float[cols];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                float v = x[(long)r * cols + j];
                if (v < min[j]) min[j] = v;
                if (v > max[j]) max[j] = v;
            }
        var counts = new long[cols * bins];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                int b = (int)((x[(long)r * cols + j] - (double)min[j]) * bins / ((double)max[j] - min[j]));
                counts[j * bins + Math.Min(b, bins - 1)]++;
            }
    }

    public static void Sgemm(float[] a, float[] b, float[] c, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < n; p++) s += a[i * n + p] * b[p * n + j];
                c[i * n + j] = s;
            }
    }
}
