namespace Dcu.Core.Outbox;

/// <summary>Event kinds raised by the outbox itself (DCU events: no meter), next to <see cref="Model.EventKinds"/>.</summary>
public static class OutboxEventKinds
{
    /// <summary>The outbox file (or its -log) was unreadable at start; it was moved aside and a fresh outbox opened. Detail names the moved files.</summary>
    public const string OutboxRecovered = "outbox_recovered";
}
