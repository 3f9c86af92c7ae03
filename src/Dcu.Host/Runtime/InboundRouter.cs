using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Host.Runtime;

/// <summary>
/// The one reader of messages from the DCP (<see cref="IUplink.ReadCommandsAsync"/>): each message goes to
/// the handler registered for its topic, in arrival order, one at a time (handlers return quickly; the
/// command dispatcher queues its work). Commands are routed by prefix (<c>dcu/{id}/cmd/</c>); other
/// inbound topics, such as <c>dcu/{id}/ack</c>, register their own handler with <see cref="Route"/>
/// (the link must also subscribe to them). A message nobody handles is logged and counted.
/// </summary>
public sealed class InboundRouter(IUplink uplink, ILogger<InboundRouter>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly List<(string Topic, bool IsPrefix, Func<UplinkMessage, CancellationToken, Task> Handler)> _routes = [];
    private long _unrouted, _failed;

    /// <summary>Messages no route matched.</summary>
    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Messages whose handler threw.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Sends messages on <paramref name="topic"/> (exactly) to <paramref name="handler"/>, or every topic
    /// starting with it when <paramref name="isPrefix"/>. Register before <see cref="RunAsync"/>; the first match wins.
    /// </summary>
    public InboundRouter Route(string topic, Func<UplinkMessage, CancellationToken, Task> handler, bool isPrefix = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        _routes.Add((topic, isPrefix, handler));
        return this;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in uplink.ReadCommandsAsync(cancellationToken).ConfigureAwait(false))
                await DispatchAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    internal async Task DispatchAsync(UplinkMessage message, CancellationToken cancellationToken)
    {
        foreach (var (topic, isPrefix, handler) in _routes)
        {
            if (isPrefix ? !message.Topic.StartsWith(topic, StringComparison.Ordinal) : !string.Equals(message.Topic, topic, StringComparison.Ordinal)) continue;
            try
            {
                await handler(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One bad message must not end the loop that reads all of them.
                Interlocked.Increment(ref _failed);
                _logger.LogError(ex, "Handling the message on {Topic} failed", message.Topic);
            }
            return;
        }
        Interlocked.Increment(ref _unrouted);
        _logger.LogWarning("Message on {Topic} ({Bytes} bytes) has no handler; dropped", message.Topic, message.Payload.Length);
    }
}
