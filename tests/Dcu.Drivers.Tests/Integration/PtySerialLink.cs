using System.IO.Ports;
using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// A bare <see cref="IByteLink"/> over System.IO.Ports for a socat pty, for tests only until the
/// real SerialByteLink is merged (TODO(merge): replace with Dcu.Drivers.Links.SerialByteLink).
/// </summary>
internal sealed class PtySerialLink(string path, int baudRate = 9600) : IByteLink
{
    private SerialPort? _port;

    public string Name => path;

    public int BitsPerCharacter => 10;

    public int BaudRate => baudRate;

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        _port = new SerialPort(path, baudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
        _port.Open();
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        await Port.BaseStream.WriteAsync(frame, cancellationToken);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Port.BaseStream.ReadAsync(buffer, cancellationToken);

    public void DiscardInput() => Port.DiscardInBuffer();

    public ValueTask DisposeAsync()
    {
        _port?.Dispose();
        return ValueTask.CompletedTask;
    }

    private SerialPort Port => _port ?? throw new InvalidOperationException($"{path} is not open");
}
