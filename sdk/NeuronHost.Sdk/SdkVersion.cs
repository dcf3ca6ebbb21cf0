namespace NeuronHost.Sdk;

/// <summary>The SDK version plugins are built against. A plugin whose referenced SDK has another
/// major version is refused by the host; minor versions only add.</summary>
public static class SdkVersion
{
    public const int Major = 1;
    public const int Minor = 2;
    public static Version Current => new(Major, Minor);
}
