using System.Reflection;

namespace Dcu.Core.Outbox;

/// <summary>
/// Bounds how LiteDB 5 grows its page cache. LiteDB extends the cache in segments of 12, 50, 100,
/// 500 and then 1,000 pages of 8 KB (one large-object-heap array per segment), and it reuses idle
/// cached pages only when more of them are idle than the NEXT segment would hold. A busy outbox
/// (thousands of inserts and deletes a minute) therefore always ends with all five segments, 1,662
/// pages = 13.6 MB that is never given back, although its working set is a few hundred pages.
/// Capping every segment at <see cref="SegmentPages"/> pages makes LiteDB recycle its oldest idle
/// pages instead; the cache then holds what the workload needs (a large transaction still gets the
/// segments it asks for).
/// </summary>
/// <remarks>
/// The sizes are LiteDB's <c>Constants.MEMORY_SEGMENT_SIZES</c>, a public static array on an internal
/// class that every engine reads when it opens, and there is no setting for them. Changing them is
/// process-wide and must happen before the first database is opened; it is idempotent. If a LiteDB
/// version no longer has the field, nothing happens (the cache is just bigger).
/// </remarks>
internal static class LiteDbPageCache
{
    /// <summary>Largest cache segment, in 8 KB pages (800 KB).</summary>
    internal const int SegmentPages = 100;

    private static int _applied;

    /// <summary>The segment sizes now in force, or null when the LiteDB field was not found.</summary>
    internal static IReadOnlyList<int>? SegmentSizes { get; private set; }

    internal static void Bound()
    {
        if (Interlocked.Exchange(ref _applied, 1) != 0) return;
        // A literal assembly-qualified name and a literal field name (not typeof(...).Assembly.GetType)
        // let the trimmer / NativeAOT compiler see the reflection target and keep it: no trim warning.
        var field = Type.GetType("LiteDB.Constants, LiteDB")?
            .GetField("MEMORY_SEGMENT_SIZES", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
        if (field?.GetValue(null) is not int[] sizes) return;
        for (var i = 0; i < sizes.Length; i++) sizes[i] = Math.Min(sizes[i], SegmentPages);
        SegmentSizes = sizes;
    }
}
