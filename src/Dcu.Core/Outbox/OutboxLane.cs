namespace Dcu.Core.Outbox;

/// <summary>
/// The queues of the outbox, in priority order: the publisher always drains the highest non-empty lane
/// first, and the size bound evicts from the lowest first (Readings, then Billing, Events, Results last).
/// The numeric values are that order; they are stored in the sent history (<c>l</c>), so do not renumber.
/// </summary>
public enum OutboxLane
{
    /// <summary>Single messages published verbatim (command results, quality reports): <see cref="OutboxMessage"/>.</summary>
    Results = 0,

    /// <summary>Meter and DCU events, in batches on <c>dcu/{id}/events</c>.</summary>
    Events = 1,

    /// <summary>Billing / daily values, in batches on <c>dcu/{id}/billing</c>.</summary>
    Billing = 2,

    /// <summary>Interval profiles, in batches on <c>dcu/{id}/readings</c>.</summary>
    Readings = 3,
}

/// <summary>Helpers over <see cref="OutboxLane"/>.</summary>
public static class OutboxLanes
{
    /// <summary>All lanes, highest priority first.</summary>
    public static ReadOnlySpan<OutboxLane> ByPriority => [OutboxLane.Results, OutboxLane.Events, OutboxLane.Billing, OutboxLane.Readings];

    /// <summary>The lanes published as numbered batches (every lane but <see cref="OutboxLane.Results"/>).</summary>
    public static ReadOnlySpan<OutboxLane> Batched => [OutboxLane.Events, OutboxLane.Billing, OutboxLane.Readings];

    /// <summary>True for the lanes that hold <see cref="Model.Reading"/>s.</summary>
    public static bool HoldsReadings(this OutboxLane lane) => lane is OutboxLane.Billing or OutboxLane.Readings;

    internal const int Count = 4;
}
