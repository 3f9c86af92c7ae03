using System.Threading.Channels;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// An in-memory RS485 line (2400 baud 8E1 by default) with <see cref="SimulatedDlt645Meter"/>s on
/// it. Each <see cref="WriteAsync"/> is one request frame; every meter sees it (broadcasts and
/// wildcards reach all) and the replies come back through <see cref="ReadAsync"/>, whole or in
/// chunks of <see cref="ReplyChunkSize"/> bytes, optionally late, after line noise, or after an echo
/// of the request (adapters without echo suppression). Two meters answering at once just queue
/// their replies one after the other here; on a real line they would collide.
/// </summary>
public sealed class SimulatedDlt645Bus : IByteLink
{
    private readonly TimeProvider _time;
    private readonly List<SimulatedDlt645Meter> _meters = [];
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private byte[] _pending = [];
    private int _pendingOffset;
    private bool _open;

    public SimulatedDlt645Bus(TimeProvider timeProvider, string name = "sim:dlt645", int baudRate = 2400)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        Name = name;
        BaudRate = baudRate;
    }

    public string Name { get; }

    /// <summary>8E1: start, 8 data, even parity, stop.</summary>
    public int BitsPerCharacter => 11;

    public int BaudRate { get; }

    /// <summary>Split every reply into reads of at most this many bytes (1 = a UART delivering byte by byte); 0 = whole.</summary>
    public int ReplyChunkSize { get; set; }

    /// <summary>Replies arrive only after this long on the bus's <see cref="TimeProvider"/>.</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>Bytes delivered before each reply (line noise).</summary>
    public byte[] NoiseBeforeReply { get; set; } = [];

    /// <summary>Deliver each request back to the reader before the replies (half-duplex echo).</summary>
    public bool EchoRequests { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesAnswered { get; private set; }

    /// <summary>Every frame written, for assertions.</summary>
    public List<byte[]> Written { get; } = [];

    public IReadOnlyList<SimulatedDlt645Meter> Meters => _meters;

    public void Attach(SimulatedDlt645Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (_meters.Any(m => m.Address == meter.Address)) throw new ArgumentException($"meter {meter.Address} is already on {Name}", nameof(meter));
        _meters.Add(meter);
    }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        _open = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (!_open) throw new InvalidOperationException($"{Name} is not open");
        FramesReceived++;
        Written.Add(frame.ToArray());
        var output = new List<byte>();
        if (EchoRequests) output.AddRange(frame.Span);
        var answered = false;
        foreach (var meter in _meters)
        {
            if (meter.Respond(frame.Span) is not { } reply) continue;
            output.AddRange(NoiseBeforeReply);
            output.AddRange(reply);
            answered = true;
        }

        if (answered) FramesAnswered++;
        if (output.Count == 0) return ValueTask.CompletedTask;
        var bytes = output.ToArray();
        if (ReplyDelay > TimeSpan.Zero) _ = DeliverLaterAsync(bytes, ReplyDelay);
        else Deliver(bytes);
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
            while (_received.Reader.TryRead(out _))
            {
            }
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

    private void Deliver(byte[] bytes)
    {
        var chunk = ReplyChunkSize <= 0 ? bytes.Length : ReplyChunkSize;
        for (var i = 0; i < bytes.Length; i += chunk)
            _received.Writer.TryWrite(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)).ToArray());
    }

    private async Task DeliverLaterAsync(byte[] bytes, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _disposed.Token);
            Deliver(bytes);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
