namespace NeuronHost.Kernels.Cpu;

/// <summary>Top-k indices of a score vector: largest first, NaN smallest, ties by lower index.
/// A bounded heap keeps it O(n log k).</summary>
internal static class TopKKernel
{
    /// <summary>True when (a, ia) ranks before (b, ib).</summary>
    private static bool Before(double a, int ia, double b, int ib)
    {
        bool na = double.IsNaN(a), nb = double.IsNaN(b);
        if (na != nb) return nb;
        if (!na && a != b) return a > b;
        return ia < ib;
    }

    public static int[] TopK(ReadOnlySpan<double> scores, int k)
    {
        if (k < 0) throw new ArgumentException($"k = {k} is negative");
        k = Math.Min(k, scores.Length);
        if (k == 0) return [];
        // Min-heap of the k best so far: the root is the worst of them.
        var heap = new int[k];
        int size = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (size < k)
            {
                heap[size] = i;
                SiftUp(heap, size++, scores);
            }
            else if (Before(scores[i], i, scores[heap[0]], heap[0]))
            {
                heap[0] = i;
                SiftDown(heap, 0, size, scores);
            }
        }
        var best = new (double Score, int Index)[size];
        for (int i = 0; i < size; i++) best[i] = (scores[heap[i]], heap[i]);
        Array.Sort(best, (a, b) => a.Index == b.Index ? 0 : Before(a.Score, a.Index, b.Score, b.Index) ? -1 : 1);
        return Array.ConvertAll(best, e => e.Index);
    }

    // Heap order: parent is "worse" (ranks after) than its children.
    private static void SiftUp(int[] h, int i, ReadOnlySpan<double> s)
    {
        while (i > 0)
        {
            int p = (i - 1) / 2;
            if (!Before(s[h[p]], h[p], s[h[i]], h[i])) break;
            (h[p], h[i]) = (h[i], h[p]);
            i = p;
        }
    }

    private static void SiftDown(int[] h, int i, int n, ReadOnlySpan<double> s)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, w = i;
            if (l < n && Before(s[h[w]], h[w], s[h[l]], h[l])) w = l;
            if (r < n && Before(s[h[w]], h[w], s[h[r]], h[r])) w = r;
            if (w == i) return;
            (h[w], h[i]) = (h[i], h[w]);
            i = w;
        }
    }
}
