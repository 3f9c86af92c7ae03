using System.Collections.Concurrent;
using System.Threading.Channels;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Tests.Links;

/// <summary>
/// An <see cref="IByteLink"/> in memory. What the master writes goes to <see cref="OnWrite"/>
/// (a simulated device); what the device <see cref="Deliver"/>s is read back in the chunks it was
/// delivered in, like a UART handing over whatever has arrived.
/// </summary>
public sealed class InMemoryByteLink : IByteLink
{
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private byte[]? _pending;
    private int _pendingOffset;
    private int _discardedBytes;

    public InMemoryByteLink(string name = "mem", int baudRate = 0, int bitsPerCharacter = 0)
    {
        Name = name;
        BaudRate = baudRate;
        BitsPerCharacter = bitsPerCharacter;
    }

    public string Name { get; }

    public int BitsPerCharacter { get; }

    public int BaudRate { get; }

    /// <summary>Called with each frame the master writes, before WriteAsync returns.</summary>
    public Action<byte[]>? OnWrite { get; set; }

    /// <summary>Every frame written, with the time it was written (Stopwatch timestamp).</summary>
    public ConcurrentQueue<(long Timestamp, byte[] Frame)> Written { get; } = new();

    /// <summary>Bytes dropped by <see cref="DiscardInput"/>.</summary>
    public int DiscardedBytes => Volatile.Read(ref _discardedBytes);

    public bool IsOpen { get; private set; }

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        IsOpen = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var copy = frame.ToArray();
        Written.Enqueue((System.Diagnostics.Stopwatch.GetTimestamp(), copy));
        OnWrite?.Invoke(copy);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_pending is null)
        {
            try
            {
                _pending = await _incoming.Reader.ReadAsync(cancellationToken);
                _pendingOffset = 0;
            }
            catch (ChannelClosedException)
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsSpan(_pendingOffset, count).CopyTo(buffer.Span);
        _pendingOffset += count;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }

        return count;
    }

    public void DiscardInput()
    {
        var dropped = _pending is null ? 0 : _pending.Length - _pendingOffset;
        _pending = null;
        while (_incoming.Reader.TryRead(out var chunk))
        {
            dropped += chunk.Length;
        }

        Interlocked.Add(ref _discardedBytes, dropped);
    }

    /// <summary>Device side: bytes arriving at the master.</summary>
    public void Deliver(ReadOnlySpan<byte> bytes) => _incoming.Writer.TryWrite(bytes.ToArray());

    /// <summary>Device side: the line goes away; reads return 0.</summary>
    public void Close() => _incoming.Writer.TryComplete();

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
