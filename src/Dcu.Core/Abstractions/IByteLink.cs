namespace Dcu.Core.Abstractions;

/// <summary>
/// A byte pipe to devices: a serial port (RS485), a TCP socket to a gateway, or an in-memory
/// simulator. Exactly one owner (the bus worker) uses it at a time. Timeouts are enforced by the
/// caller through the token: serial async reads ignore ReadTimeout on Linux.
/// </summary>
public interface IByteLink : IAsyncDisposable
{
    /// <summary>Human-readable name for logs ("/dev/ttyAMA0", "10.0.0.5:502", "sim:rs485-1").</summary>
    string Name { get; }

    /// <summary>Bits per character on the wire (start + data + parity + stop), 0 when the link has no baud timing (TCP).</summary>
    int BitsPerCharacter { get; }

    /// <summary>Baud rate, 0 when the link has no baud timing.</summary>
    int BaudRate { get; }

    ValueTask OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes the whole frame and returns once it has left (drained to the wire where the link can tell).</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Reads at least one byte, waiting until some arrive; returns 0 only when the link was closed.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Drops whatever has been received and not yet read (stale bytes before a new request).</summary>
    void DiscardInput();
}
