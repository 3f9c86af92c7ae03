using Dcu.Core.Abstractions;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Tests.Simulation;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>
/// A socat pty pair with a pymodbus RTU server on one end (units 1, 2, 3 like an SDM630; unit 9
/// answers every read with exception 02; every other unit is silent) and our link open on the other.
/// The link stays open for the whole class: closing the last fd of a pty end makes socat exit.
/// </summary>
public sealed class PymodbusBusFixture : IAsyncLifetime
{
    public static readonly byte[] Units = [1, 2, 3];
    public const byte ExceptionUnit = 9;
    public const byte SilentUnit = 5;

    /// <summary>
    /// Builds the master under test on an open link. TODO(merge): plug in the real master here, e.g.
    /// <c>link => new ModbusRtuMaster(link, options)</c>, and open the port with SerialByteLink
    /// instead of <see cref="PtySerialLink"/>; the tests in <see cref="PymodbusMasterTests"/> stay as they are.
    /// </summary>
    public static Func<IByteLink, IModbusMaster> MasterFactory { get; set; } =
        link => new TestRtuMaster(link, TimeSpan.FromSeconds(2)); // generous: 2 cores shared with builds

    private SocatPtyPair? _pty;
    private PymodbusServer? _server;
    private PtySerialLink? _link;

    public IByteLink Link => _link ?? throw new InvalidOperationException("fixture not started");

    public PymodbusServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync()
    {
        _pty = await SocatPtyPair.StartAsync();
        _server = await PymodbusServer.StartAsync(_pty.PortB, Units, [ExceptionUnit]);
        _link = new PtySerialLink(_pty.PortA);
        await _link.OpenAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_link is not null) await _link.DisposeAsync();
        _server?.Dispose();
        _pty?.Dispose();
    }
}
