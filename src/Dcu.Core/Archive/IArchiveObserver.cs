using Dcu.Core.Collection;
using Dcu.Core.Model;

namespace Dcu.Core.Archive;

/// <summary>Told of every meter that enters or leaves the archive at runtime (collection quality expectations).</summary>
public interface IArchiveObserver
{
    /// <summary>The meter is expected from its first interval due after <paramref name="sinceUnixMs"/>.</summary>
    void MeterAdded(MeterId meter, long sinceUnixMs);

    /// <summary>The meter is no longer expected.</summary>
    void MeterRemoved(MeterId meter);

    /// <summary>A collection task added, or the new definition of a replaced one, in force from <paramref name="sinceUnixMs"/>.</summary>
    void TaskAdded(CollectionTask task, long sinceUnixMs) { }

    /// <summary>A collection task deleted, or the old definition of a replaced one, out of force after <paramref name="untilUnixMs"/>.</summary>
    void TaskRemoved(string name, long untilUnixMs) { }
}
