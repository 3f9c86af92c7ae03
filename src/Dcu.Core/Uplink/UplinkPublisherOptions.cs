using Dcu.Core.Uplink.Encodings;

namespace Dcu.Core.Uplink;

/// <summary>Settings of <see cref="UplinkPublisher"/>.</summary>
public sealed class UplinkPublisherOptions
{
    /// <summary>Items per MQTT message.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Batches published concurrently (keep at or below the broker's ReceiveMaximum).</summary>
    public int MaxInFlight { get; set; } = 4;

    /// <summary>A publish without PUBACK after this long counts as failed (its items stay in the outbox).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When the outbox is empty the publisher waits for the outbox's commit signal, re-checking at this period as a fallback.</summary>
    public TimeSpan IdleRecheck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Back-off after a failed or refused publish: doubles from the minimum up to the maximum, with ±20 % jitter.</summary>
    public TimeSpan RetryBackoffMin { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Payload encoding of reading batches: <c>json</c> (default), <c>json-deflate</c> or <c>compact</c> (docs/compact-encoding.md).</summary>
    public string Encoding { get; set; } = "json";

    /// <summary>
    /// End-to-end delivery: when true a batch is finished only when the DCP acknowledges its seq on
    /// <c>dcu/{id}/ack</c> (<see cref="UplinkPublisher.OnAck"/>), not at the broker's PUBACK. Until then it stays
    /// in the outbox and is re-published with the same seq every <see cref="DcpAckTimeout"/>.
    /// </summary>
    public bool RequireDcpAck { get; set; }

    /// <summary>With <see cref="RequireDcpAck"/>: how long after its PUBACK a batch waits for the DCP's ack before it is re-published.</summary>
    public TimeSpan DcpAckTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>With <see cref="RequireDcpAck"/>: most batches published and not yet acknowledged by the DCP; new batches wait while it is full.</summary>
    public int DcpAckWindow { get; set; } = 64;

    internal void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (MaxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "MaxInFlight must be at least 1.");
        if (PublishTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PublishTimeout));
        if (IdleRecheck <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleRecheck));
        if (RetryBackoffMin < TimeSpan.Zero || RetryBackoffMax < RetryBackoffMin) throw new ArgumentOutOfRangeException(nameof(RetryBackoffMax));
        if (!BatchEncodings.TryParse(Encoding, out _)) throw new ArgumentOutOfRangeException(nameof(Encoding), Encoding, $"Encoding must be one of {BatchEncodings.AcceptedNames}.");
        if (DcpAckTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DcpAckTimeout), DcpAckTimeout, "DcpAckTimeout must be positive.");
        if (DcpAckWindow < 1) throw new ArgumentOutOfRangeException(nameof(DcpAckWindow), DcpAckWindow, "DcpAckWindow must be at least 1.");
    }
}
