using Dcu.Core.Outbox;

namespace Dcu.Core.Commands;

/// <summary>
/// Results go into the outbox's Results lane (published ahead of everything else on
/// <c>dcu/{id}/cmd-result</c>, removed at PUBACK) and are committed before <see cref="SendAsync"/>
/// returns: a result made while the link is down, or just before a power cut, still reaches the DCP.
/// </summary>
public sealed class OutboxResultSink(IOutboxWriter outbox, TimeProvider? time = null) : ICommandResultSink
{
    public const string TopicSuffix = "cmd-result";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        // The dispatcher reuses nothing, but the outbox keeps the payload until PUBACK: own a copy.
        await outbox.AppendMessageAsync(new OutboxMessage(TopicSuffix, payload.ToArray(), _time.GetUtcNow().ToUnixTimeMilliseconds()), ct).ConfigureAwait(false);
        await outbox.FlushAsync(ct).ConfigureAwait(false);
    }
}
