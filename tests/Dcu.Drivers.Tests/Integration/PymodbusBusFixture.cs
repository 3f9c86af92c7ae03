using Dcu.Drivers.Links;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// A socat pty pair with a pymodbus RTU server on one end (units 1, 2, 3 like an SDM630; unit 9
/// answers every read with exception 02; every other unit is silent) and a <see cref="SerialByteLink"/>
/// open on the other, with kernel RS485 mode asked for (a pty must report it unsupported and carry on).
/// The link stays open for the whole class: closing the last fd of a pty end makes socat exit.
/// </summary>
public sealed class PymodbusBusFixture : IAsyncLifetime
{
    public static readonly byte[] Units = [1, 2, 3];
    public const byte ExceptionUnit = 9;
    public const byte SilentUnit = 5;

    private SocatPtyPair? _pty;
    private PymodbusServer? _server;
    private SerialByteLink? _link;

    public SerialByteLink Link => _link ?? throw new InvalidOperationException("fixture not started");

    public PymodbusServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync()
    {
        _pty = await SocatPtyPair.StartAsync();
        _server = await PymodbusServer.StartAsync(_pty.PortB, Units, [ExceptionUnit]);
        _link = new SerialByteLink(new SerialLinkOptions { PortName = _pty.PortA, BaudRate = 9600, Rs485Mode = true });
        await _link.OpenAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_link is not null) await _link.DisposeAsync();
        _server?.Dispose();
        _pty?.Dispose();
    }
}
