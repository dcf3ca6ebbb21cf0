namespace NeuronHost.Benchmarks.KernelTable;

/// <summary>Problem sizes: the (200k tokens × 3072 neurons × 17 classes; correlation
/// 100k × 3072 vs 3072), or smaller ones with --quick.</summary>
internal sealed record BenchSizes(int Rows, int Cols, int Classes, int CorrRows, int CorrCols, int TopK, int Bins, int GemmN, int Reps, int NaiveCorrRows, int NaiveGemmN)
{
    public static readonly BenchSizes Full = new(200_000, 3072, 17, 100_000, 3072, 20, 64, 4096, 3, 100, 512);
    public static readonly BenchSizes Quick = new(40_000, 1024, 17, 20_000, 1024, 20, 64, 2048, 3, 200, 384);
}
