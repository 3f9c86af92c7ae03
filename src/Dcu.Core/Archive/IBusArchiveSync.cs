using Dcu.Core.Model;

namespace Dcu.Core.Archive;

/// <summary>
/// A bus that keeps a copy of the archive of its own (a PLC module's route table). Told after every
/// change of its meters; <see cref="MeterArchive"/> retries a sync that failed or did not verify.
/// </summary>
public interface IBusArchiveSync
{
    string Bus { get; }

    /// <summary>Makes the bus's copy equal <paramref name="meters"/> (all meters of the bus now); true when read back equal.</summary>
    Task<bool> SyncArchiveAsync(IReadOnlyList<Meter> meters, CancellationToken cancellationToken);
}

/// <summary>How a bus's copy of the archive followed a change: verified, or not yet and retried in <paramref name="RetryIn"/>.</summary>
public sealed record BusSyncResult(string Bus, bool Verified, string? Error = null, TimeSpan? RetryIn = null);
