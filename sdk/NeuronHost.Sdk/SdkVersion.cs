namespace NeuronHost.Sdk;

/// <summary>The SDK version plugins are built against. A plugin whose referenced SDK has another
/// major version is refused by the host; minor versions only add (1.1: IProbe.MaxNeurons;
/// 1.2: the intervention helpers of <c>NeuronHost.Sdk.Interventions</c>;
/// 1.3: <see cref="IRankingOverHeldRows"/>, rankings whose rows stay where they were extracted;
/// 1.4: <see cref="IProbeOverHeldRows"/>, probes trained and scored where the rows are). The SDK
/// project and its NuGet package take their version from the two constants below.</summary>
public static class SdkVersion
{
    public const int Major = 1;
    public const int Minor = 4;
    public static Version Current => new(Major, Minor);
}
