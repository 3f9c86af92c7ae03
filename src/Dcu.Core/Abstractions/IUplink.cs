namespace Dcu.Core.Abstractions;

/// <summary>
/// The link to the DCP (an MQTT connection in Dcu.Drivers). The implementation owns the
/// connection: it connects, reconnects with backoff and jitter, sets the Last Will, and
/// publishes the birth message on every connect. Core only publishes and reads commands.
/// </summary>
public interface IUplink
{
    bool IsConnected { get; }

    /// <summary>Completes once the link is up (at once if it is).</summary>
    Task WaitConnectedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Publishes at QoS 1. Returns true only when the broker acknowledged (PUBACK); false when the
    /// link dropped or the broker refused. Never throws for link failures; honours the token.
    /// </summary>
    Task<bool> PublishAsync(UplinkMessage message, CancellationToken cancellationToken);

    /// <summary>Messages received on the DCU's command topics, in arrival order.</summary>
    IAsyncEnumerable<UplinkMessage> ReadCommandsAsync(CancellationToken cancellationToken);
}

/// <summary>One MQTT application message as Core sees it.</summary>
public sealed record UplinkMessage(string Topic, ReadOnlyMemory<byte> Payload, bool Retain = false)
{
    /// <summary>MQTT 5 content type (e.g. <c>application/vnd.dcu.compact</c>); null sends none.</summary>
    public string? ContentType { get; init; }
}
