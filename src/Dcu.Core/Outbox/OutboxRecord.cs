using Dcu.Core.Model;

namespace Dcu.Core.Outbox;

/// <summary>
/// One stored, unsent item as read back from the outbox. <see cref="Id"/> is its position in its
/// lane (auto-increment, so ascending ids are append order); exactly one of <see cref="Reading"/>
/// and <see cref="Event"/> is set, matching <see cref="Lane"/>.
/// </summary>
public sealed record OutboxRecord(long Id, OutboxLane Lane, Reading? Reading, MeterEvent? Event);
