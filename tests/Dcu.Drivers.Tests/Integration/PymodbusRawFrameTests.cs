using Dcu.Drivers.Tests.Modbus;

namespace Dcu.Drivers.Tests.Integration;

/// <summary>Known request bytes through a real pty to pymodbus, reply bytes checked: no master involved.</summary>
public sealed class PymodbusRawFrameTests(PymodbusBusFixture bus) : IClassFixture<PymodbusBusFixture>
{
    private async Task<string> TransactAsync(byte[] request, int expected, TimeSpan? timeout = null)
    {
        bus.Link.DiscardInput();
        await bus.Link.WriteAsync(request, CancellationToken.None);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(3));
        var buffer = new byte[256];
        var have = 0;
        try
        {
            while (have < expected) have += await bus.Link.ReadAsync(buffer.AsMemory(have), cts.Token);
        }
        catch (OperationCanceledException) { }
        return Hex.Of(buffer.AsSpan(0, have));
    }

    [Fact]
    public async Task Spec_vector_voltage_float()
    {
        Assert.Equal("010404436633335AFA", await TransactAsync(Hex.Bytes("01 04 00 00 00 02 71 CB"), 9));
    }

    [Fact]
    public async Task Spec_vector_import_energy_float()
    {
        Assert.Equal("010404449A5000F35B", await TransactAsync(Hex.Bytes("01 04 00 48 00 02 F1 DD"), 9));
    }

    [Fact]
    public async Task Exception_unit_answers_02()
    {
        var reply = await TransactAsync(RtuAdu.Of(PymodbusBusFixture.ExceptionUnit, [4, 0, 0, 0, 2]), 5);
        Assert.Equal(Hex.Of(RtuAdu.Of(PymodbusBusFixture.ExceptionUnit, [0x84, 0x02])), reply);
    }

    [Fact]
    public async Task Unknown_unit_is_silent()
    {
        var reply = await TransactAsync(RtuAdu.Of(PymodbusBusFixture.SilentUnit, [4, 0, 0, 0, 2]), 1, TimeSpan.FromMilliseconds(500));
        Assert.Equal("", reply);
    }
}
