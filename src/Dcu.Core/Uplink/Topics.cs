namespace Dcu.Core.Uplink;

/// <summary>
/// The DCU's MQTT topic tree (see docs/mqtt-contract.md):
/// <c>dcu/{id}/readings</c>, <c>dcu/{id}/billing</c> and <c>dcu/{id}/events</c> (QoS 1, numbered batches from the outbox),
/// <c>dcu/{id}/ack</c> (subscribed: the DCP acknowledges batch seqs),
/// <c>dcu/{id}/status</c> (QoS 1, retained; Last Will <see cref="OfflinePayload"/>),
/// <c>dcu/{id}/cmd/#</c> (subscribed, commands from the DCP) and <c>dcu/{id}/cmd-result</c>.
/// </summary>
public sealed class Topics
{
    public Topics(string dcuId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dcuId);
        if (dcuId.AsSpan().IndexOfAny("/+#\0") >= 0)
            throw new ArgumentException($"DCU id '{dcuId}' must not contain '/', '+', '#' or NUL.", nameof(dcuId));
        DcuId = dcuId;
        Root = $"dcu/{dcuId}";
        Readings = $"{Root}/readings";
        Events = $"{Root}/events";
        Billing = $"{Root}/billing";
        Ack = $"{Root}/ack";
        Status = $"{Root}/status";
        CommandFilter = $"{Root}/cmd/#";
        CommandPrefix = $"{Root}/cmd/";
        CommandResult = $"{Root}/cmd-result";
    }

    public string DcuId { get; }

    public string Root { get; }

    public string Readings { get; }

    public string Events { get; }

    /// <summary>Billing / daily values, same payload shape as <see cref="Readings"/>.</summary>
    public string Billing { get; }

    /// <summary>Subscribed: the DCP acknowledges batch seqs here (see <see cref="DcpAck"/>). Inbound messages on it come out of the command stream.</summary>
    public string Ack { get; }

    /// <summary>The topic of a single Results-lane message: <c>dcu/{id}/{suffix}</c>.</summary>
    public string Of(string suffix) => $"{Root}/{suffix}";

    /// <summary>Retained. Online status from <see cref="StatusReporter"/>; the Last Will sets it offline.</summary>
    public string Status { get; }

    /// <summary>The subscription filter for commands.</summary>
    public string CommandFilter { get; }

    /// <summary>Prefix of command topics; the rest is the command name (e.g. <c>dcu/x/cmd/read-now</c>).</summary>
    public string CommandPrefix { get; }

    public string CommandResult { get; }

    /// <summary>The Last Will payload for <see cref="Status"/> (QoS 1, retained).</summary>
    public static ReadOnlyMemory<byte> OfflinePayload { get; } = """{"state":"offline"}"""u8.ToArray();
}
