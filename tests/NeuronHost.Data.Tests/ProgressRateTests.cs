using NeuronHost.Data.Extraction;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

public class ProgressRateTests
{
    [Fact]
    public void RateCountsOnlyWorkSinceTheFirstReport()
    {
        var rate = new ProgressRate();
        rate.Update(new ProgressReport("extract", 5000, 10000, "tokens")); // a resumed run starts half done
        Thread.Sleep(200);
        var report = new ProgressReport("extract", 6000, 10000, "tokens");
        rate.Update(report);
        // 1000 tokens in ≥ 0.2 s → at most 5000 tokens/s; ETA = 4000 / rate ≥ 0.8 s.
        Assert.InRange(rate.PerSecond, 1, 5000);
        Assert.True(rate.Remaining >= TimeSpan.FromSeconds(0.8));
        Assert.Contains("tokens/s", rate.Describe(report));
    }
}
