using NeuronHost.Core.Assets;

namespace NeuronHost.Host.Tests;

/// <summary>A developer's `dotnet test` must not fill their real store cache.</summary>
public sealed class TestStoreCacheTests
{
    [Fact]
    public void Tests_and_the_processes_they_start_use_a_store_cache_outside_the_users_own()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x : Path.Combine(home, ".cache");
        string users = Path.GetFullPath(Path.Combine(xdg, "neuronhost"));
        string root = Path.GetFullPath(StoreCache.Root());
        Assert.False(root.StartsWith(users, StringComparison.Ordinal), $"the tests' store cache {root} is the user's own ({users})");
        // Child processes inherit the variable the module initializer set.
        Assert.Equal(root, Path.GetFullPath(Environment.GetEnvironmentVariable(StoreCache.EnvironmentVariable)!));
    }
}
