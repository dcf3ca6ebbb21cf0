using Microsoft.Extensions.DependencyInjection;
using NeuronHost.Cluster.Contracts;
using Orleans.Serialization;
using Orleans.Storage;

namespace NeuronHost.Cluster.Tests;

/// <summary>The coordinator's state as Orleans' grain storage serializer (Newtonsoft JSON, the
/// default of the Redis storage) writes it and reads it back after a reactivation: every flag keeps
/// the value the run set. Orleans' JSON settings leave out values equal to their type's default;
/// SendRows had the initialiser true, so a run that set it false got true back after the grain
/// moved — its silos then sent rows the coordinator refused, retrying forever (seen in a kill test).</summary>
public sealed class CoordinatorStateSerializationTests
{
    [Fact]
    public void Every_flag_of_the_job_spec_survives_the_round_trip_through_the_grain_storage_serializer()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ClusterJobSpec).Assembly)).AddOptions().BuildServiceProvider();
        var serializer = ActivatorUtilities.CreateInstance<JsonGrainStorageSerializer>(services, ActivatorUtilities.CreateInstance<OrleansJsonSerializer>(services));
        foreach (bool flag in new[] { false, true })
        {
            var state = new CoordinatorState
            {
                Spec = new ClusterJobSpec { JobId = "j", Statistics = flag, SendRows = flag, HoldRows = flag, BatchSize = 16, Columns = 1024 },
            };
            var back = serializer.Deserialize<CoordinatorState>(serializer.Serialize(state));
            var spec = Assert.IsType<ClusterJobSpec>(back?.Spec);
            Assert.Equal((flag, flag, flag), (spec.Statistics, spec.SendRows, spec.HoldRows));
            Assert.Equal((16, 1024, "last"), (spec.BatchSize, spec.Columns, spec.Aggregation));
        }
    }
}
