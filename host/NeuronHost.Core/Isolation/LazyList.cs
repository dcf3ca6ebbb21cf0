using System.Collections;

namespace NeuronHost.Core.Isolation;

/// <summary>A read-only list of known length whose items are made on first use (thread-safe).
/// A worker hands plugins the words and word classes of each split this way: reading them means
/// parsing the store's token table (0.6 s and ~150 ms of garbage collection for EWT's 254,000
/// rows), which a ranking that never looks at words should not pay on every cold worker.</summary>
internal sealed class LazyList<T>(int count, Func<T[]> make) : IReadOnlyList<T>
{
    private readonly Lazy<T[]> items = new(() =>
    {
        var made = make();
        if (made.Length != count) throw new InvalidOperationException($"a lazy list of {count} items was made with {made.Length}");
        return made;
    });

    public int Count => count;
    public T this[int index] => items.Value[index];
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items.Value).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
