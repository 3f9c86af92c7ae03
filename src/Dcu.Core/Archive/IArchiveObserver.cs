using Dcu.Core.Model;

namespace Dcu.Core.Archive;

/// <summary>Told of every meter that enters or leaves the archive at runtime (collection quality expectations).</summary>
public interface IArchiveObserver
{
    /// <summary>The meter is expected from its first interval due after <paramref name="sinceUnixMs"/>.</summary>
    void MeterAdded(MeterId meter, long sinceUnixMs);

    /// <summary>The meter is no longer expected.</summary>
    void MeterRemoved(MeterId meter);
}
