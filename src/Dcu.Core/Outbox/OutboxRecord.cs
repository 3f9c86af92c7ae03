using Dcu.Core.Model;

namespace Dcu.Core.Outbox;

/// <summary>
/// One stored, unsent item as read back from the outbox. <see cref="Id"/> is its position in its
/// lane (auto-increment, so ascending ids are append order); exactly one of <see cref="Reading"/>
/// (Readings and Billing lanes), <see cref="Event"/> (Events) and <see cref="Message"/> (Results) is set.
/// </summary>
public sealed record OutboxRecord(long Id, OutboxLane Lane, Reading? Reading, MeterEvent? Event, OutboxMessage? Message = null);
