using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// What to read, from which meters, how often. Built from <see cref="CollectionTaskOptions"/> after
/// validation; the constructor re-checks the invariants.
/// </summary>
public sealed record CollectionTask
{
    public CollectionTask(string name, IReadOnlyList<MeterId> meters, IReadOnlyList<ObisCode> quantities, TimeSpan interval, TimeSpan offset = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IntervalClock.IsValidInterval(interval))
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "Interval must divide 24 h");
        if (!IntervalClock.IsValidOffset(offset, interval))
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "Offset must be in [0, interval)");
        Name = name;
        Meters = meters;
        Quantities = quantities;
        Interval = interval;
        Offset = offset;
    }

    public string Name { get; }

    /// <summary>The meters to read; empty means every meter of the archive.</summary>
    public IReadOnlyList<MeterId> Meters { get; }

    /// <summary>The quantities to read; empty means everything the meter's profile supports.</summary>
    public IReadOnlyList<ObisCode> Quantities { get; }

    /// <summary>Read period; divides 24 h, so reads are aligned to UTC wall-clock boundaries.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Delay after each boundary before the read is due; the reading keeps the boundary as its timestamp.</summary>
    public TimeSpan Offset { get; }

    public bool Includes(MeterId meter) => Meters.Count == 0 || Meters.Contains(meter);
}
