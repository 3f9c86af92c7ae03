using Dcu.Core.Outbox;

namespace Dcu.Core.Tests.Outbox;

/// <summary>
/// The page-cache bound reaches into LiteDB (there is no setting): this fails loudly when a LiteDB
/// upgrade moves the field, instead of the DCU silently growing 13.6 MB again.
/// </summary>
public sealed class LiteDbPageCacheTests
{
    [Fact]
    public void LiteDB_still_has_the_segment_sizes_and_they_are_bounded()
    {
        LiteDbPageCache.Bound();

        var sizes = LiteDbPageCache.SegmentSizes;
        Assert.NotNull(sizes);
        Assert.NotEmpty(sizes);
        Assert.All(sizes, s => Assert.InRange(s, 1, LiteDbPageCache.SegmentPages));
    }
}
