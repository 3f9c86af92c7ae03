using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dcu.Core.Abstractions;

namespace Dcu.Core.Tests.Uplink;

/// <summary>An in-memory <see cref="IUplink"/>: records every publish (payload copied) and its outcome.</summary>
internal sealed class FakeUplink : IUplink
{
    private readonly Channel<UplinkMessage> _commands = Channel.CreateUnbounded<UplinkMessage>();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public FakeUplink(bool connected = true)
    {
        if (connected) _connected.TrySetResult();
    }

    /// <summary>Decides each publish from its 1-based call number; default: acknowledge.</summary>
    public Func<int, UplinkMessage, CancellationToken, Task<bool>> Behaviour { get; set; } = (_, _, _) => Task.FromResult(true);

    public ConcurrentQueue<Published> Log { get; } = new();

    /// <summary>Publishes started so far (completed or not).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public bool IsConnected => _connected.Task.IsCompleted;

    public void Connect() => _connected.TrySetResult();

    public void Disconnect()
    {
        if (_connected.Task.IsCompleted) _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void SendCommand(string topic, string payload) =>
        _commands.Writer.TryWrite(new UplinkMessage(topic, System.Text.Encoding.UTF8.GetBytes(payload)));

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    public async Task<bool> PublishAsync(UplinkMessage message, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        var copy = message with { Payload = message.Payload.ToArray() };
        bool ok;
        try
        {
            ok = await Behaviour(call, copy, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.Enqueue(new Published(call, copy, false));
            throw;
        }
        Log.Enqueue(new Published(call, copy, ok));
        return ok;
    }

    public async IAsyncEnumerable<UplinkMessage> ReadCommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var m in _commands.Reader.ReadAllAsync(cancellationToken)) yield return m;
    }

    internal sealed record Published(int Call, UplinkMessage Message, bool Acked)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Message.Payload.Span);
    }
}
