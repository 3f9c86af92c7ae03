using System.Threading.Channels;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// The line side shared by the in-memory simulators (<see cref="SimulatedRtuBus"/>,
/// <see cref="SimulatedDlt645Bus"/>, <see cref="SimulatedPlcModule"/>): each written frame goes to
/// the device logic in <see cref="OnFrame"/>, and what the devices send back is queued by
/// <see cref="Deliver"/> and drained by <see cref="ReadAsync"/> the way a UART buffer would be.
/// </summary>
/// <remarks>
/// The devices differ; the line does not. Keeping the read side in one place keeps the three
/// simulators honest about the same <see cref="IByteLink"/> contract (read returns 0 only once
/// closed, discard drops queued bytes, delayed replies die with the link).
/// </remarks>
public abstract class SimulatedLink : IByteLink
{
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private byte[] _pending = [];
    private int _pendingOffset;
    private bool _open;

    protected SimulatedLink(TimeProvider timeProvider, string name)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        Name = name;
    }

    public string Name { get; }

    public abstract int BitsPerCharacter { get; }

    public abstract int BaudRate { get; }

    /// <summary>Split every delivery into reads of at most this many bytes (to exercise a master's frame assembly); 0 = whole.</summary>
    protected abstract int DeliveryChunkSize { get; }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        _open = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>One call is one frame, as <see cref="IByteLink"/> promises: the device logic sees it whole.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (!_open) throw new InvalidOperationException($"{Name} is not open");
        OnFrame(frame);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0) return 0;
        while (true)
        {
            lock (_gate)
            {
                if (_pendingOffset < _pending.Length)
                {
                    var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
                    _pending.AsSpan(_pendingOffset, n).CopyTo(buffer.Span);
                    _pendingOffset += n;
                    return n;
                }
                if (_received.Reader.TryRead(out var next))
                {
                    _pending = next;
                    _pendingOffset = 0;
                    continue;
                }
            }
            try
            {
                if (!await _received.Reader.WaitToReadAsync(cancellationToken)) return 0;
            }
            catch (ChannelClosedException)
            {
                return 0;
            }
        }
    }

    public void DiscardInput()
    {
        lock (_gate)
        {
            _pending = [];
            _pendingOffset = 0;
            while (_received.Reader.TryRead(out _)) { }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            _received.Writer.TryComplete();
            _disposed.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The device logic: one request frame written by the master.</summary>
    protected abstract void OnFrame(ReadOnlyMemory<byte> frame);

    /// <summary>Queues bytes for the reader now, split per <see cref="DeliveryChunkSize"/>. Dropped once disposed.</summary>
    protected void Deliver(byte[] bytes)
    {
        var chunk = DeliveryChunkSize <= 0 ? bytes.Length : DeliveryChunkSize;
        for (var i = 0; i < bytes.Length; i += chunk)
            _received.Writer.TryWrite(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)).ToArray());
    }

    /// <summary>Delivers after <paramref name="delay"/> on the link's clock, or never if the link is disposed first.</summary>
    protected async Task DeliverLaterAsync(byte[] bytes, TimeSpan delay)
    {
        try
        {
            await DelayAsync(delay);
            Deliver(bytes);
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Waits on the link's clock; throws <see cref="OperationCanceledException"/> or
    /// <see cref="ObjectDisposedException"/> once the link is disposed, so late work stops with it.</summary>
    protected Task DelayAsync(TimeSpan delay) => Task.Delay(delay, _time, _disposed.Token);
}
