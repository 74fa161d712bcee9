using Mailsmith.Track;

namespace Mailsmith.Tests.Track;

public sealed class EventKeysTests
{
    [Fact]
    public void New_ManyInOneMillisecond_AllDistinctVersion7AndTimeOrderedAcrossMilliseconds()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123);
        var keys = Enumerable.Range(0, 100_000).Select(_ => EventKeys.New(at)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys.Take(100), k => Assert.Equal(7, k.Version));
        Assert.All(keys.Take(100), k => Assert.Equal(0b10, k.Variant >> 2));
        var later = EventKeys.New(at.AddMilliseconds(1));
        // Big-endian bytes order by time first (UUIDv7), which is how the key is stored.
        Assert.True(keys.All(k => later.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(k.ToByteArray(bigEndian: true)) > 0));
    }
}
