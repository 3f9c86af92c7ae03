namespace Dcu.Core.Outbox;

/// <summary>The two queues of the outbox. Events are drained ahead of readings.</summary>
public enum OutboxLane
{
    Events,
    Readings,
}
