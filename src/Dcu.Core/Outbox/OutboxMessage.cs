namespace Dcu.Core.Outbox;

/// <summary>
/// A single message for the <see cref="OutboxLane.Results"/> lane, published verbatim at QoS 1 on
/// <c>dcu/{id}/{TopicSuffix}</c> (e.g. "cmd-result", "quality") and removed on its PUBACK.
/// </summary>
/// <param name="TopicSuffix">Topic level(s) under <c>dcu/{id}/</c>; no wildcards, no leading or trailing '/'.</param>
/// <param name="Payload">The message body, sent as is.</param>
/// <param name="UnixMs">When it was made (for the oldest-age statistic).</param>
public sealed record OutboxMessage(string TopicSuffix, ReadOnlyMemory<byte> Payload, long UnixMs)
{
    /// <summary>Largest payload accepted (MQTT allows more, but the outbox is not a file store).</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(TopicSuffix) || TopicSuffix.Length > 128 || TopicSuffix.AsSpan().IndexOfAny("+#\0") >= 0
            || TopicSuffix[0] == '/' || TopicSuffix[^1] == '/' || TopicSuffix.Contains("//", StringComparison.Ordinal))
            throw new ArgumentException($"TopicSuffix '{TopicSuffix}' must be 1-128 characters of topic levels without '+', '#', NUL or empty levels.", nameof(TopicSuffix));
        if (Payload.Length > MaxPayloadBytes)
            throw new ArgumentException($"Payload of {Payload.Length} bytes is larger than {MaxPayloadBytes}.", nameof(Payload));
    }
}
