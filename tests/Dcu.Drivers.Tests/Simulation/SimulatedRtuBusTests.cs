using Dcu.Drivers.Modbus;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Simulation;

public sealed class SimulatedRtuBusTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRtuBus _bus;
    private readonly SimulatedModbusMeter _sdm;

    public SimulatedRtuBusTests()
    {
        (_bus, _sdm, _) = SpecExampleBus.Create(_time);
    }

    public ValueTask DisposeAsync() => _bus.DisposeAsync();

    private async Task<string?> SendAsync(string requestHex, int timeoutMs = 200)
    {
        await _bus.WriteAsync(Hex.Bytes(requestHex), CancellationToken.None);
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[300];
        var have = 0;
        try
        {
            // Whole replies arrive at once unless chunked; keep reading until quiet.
            while (true)
            {
                var n = await _bus.ReadAsync(buffer.AsMemory(have), cts.Token);
                have += n;
                if (have >= 5 && (buffer[1] & 0x80) != 0 && have == 5) return Hex.Of(buffer.AsSpan(0, have));
                if (have >= 3 && have == ExpectedLength(buffer)) return Hex.Of(buffer.AsSpan(0, have));
            }
        }
        catch (OperationCanceledException)
        {
            return have == 0 ? null : Hex.Of(buffer.AsSpan(0, have));
        }
    }

    private static int ExpectedLength(byte[] b) => b[1] switch { 3 or 4 => 5 + b[2], 6 or 16 => 8, _ => 5 };

    [Theory]
    [InlineData("01 04 00 00 00 02 71 CB", "01 04 04 43 66 33 33 5A FA")]
    [InlineData("01 04 00 48 00 02 F1 DD", "01 04 04 44 9A 50 00 F3 5B")]
    [InlineData("11 03 00 6B 00 03 76 87", "11 03 06 02 2B 00 00 00 64 C8 BA")]
    [InlineData("01 06 00 01 00 03 98 0B", "01 06 00 01 00 03 98 0B")]
    [InlineData("01 10 00 01 00 02 04 00 0A 01 02 92 30", "01 10 00 01 00 02 10 08")]
    [InlineData("01 03 00 00 00 02 C4 0B", "01 83 01 80 F0")] // this SDM does not implement FC 03
    public async Task Answers_the_spec_vectors(string request, string reply)
    {
        Assert.Equal(Hex.Of(Hex.Bytes(reply)), await SendAsync(request));
    }

    [Fact]
    public async Task Unmapped_register_is_exception_02()
    {
        // FC04 0x0100 x2 on a strict SDM
        var request = RtuAdu.Of(1, [4, 0x01, 0x00, 0x00, 0x02]);
        Assert.Equal("018402C2C1", await SendAsync(Hex.Of(request)));
    }

    [Fact]
    public async Task Unknown_function_is_exception_01()
    {
        var request = RtuAdu.Of(1, [0x2B, 0x0E, 0x01, 0x00]);
        Assert.Equal(Hex.Of(RtuAdu.Of(1, [0xAB, 0x01])), await SendAsync(Hex.Of(request)));
    }

    [Fact]
    public async Task Bad_quantity_is_exception_03()
    {
        var request = RtuAdu.Of(1, [4, 0, 0, 0, 126]);
        Assert.Equal(Hex.Of(RtuAdu.Of(1, [0x84, 0x03])), await SendAsync(Hex.Of(request)));
    }

    [Fact]
    public async Task Writes_land_in_holding_registers()
    {
        await SendAsync("01 10 00 01 00 02 04 00 0A 01 02 92 30");
        Assert.True(_sdm.TryGetHoldingRegister(1, out var a) && a == 0x000A);
        Assert.True(_sdm.TryGetHoldingRegister(2, out var b) && b == 0x0102);
        // A write to a measurement (read-only) register is refused.
        Assert.Equal(Hex.Of(RtuAdu.Of(1, [0x86, 0x02])), await SendAsync(Hex.Of(RtuAdu.Of(1, [6, 0, 0x50, 0, 1]))));
    }

    [Theory]
    [InlineData("05 04 00 00 00 02 70 4F")] // unit 5 is not on the bus
    [InlineData("01 04 00 00 00 02 71 CC")] // bad CRC
    [InlineData("01 04 71")]                // too short
    public async Task Stays_silent(string request)
    {
        Assert.Null(await SendAsync(request, 100));
        Assert.Equal(1, _bus.FramesUnanswered);
    }

    [Fact]
    public async Task Broadcast_write_reaches_every_meter_without_reply()
    {
        Assert.Null(await SendAsync(Hex.Of(RtuAdu.Of(0, [6, 0, 1, 0x12, 0x34])), 100));
        Assert.True(_sdm.TryGetHoldingRegister(1, out var v) && v == 0x1234);
    }

    [Fact]
    public async Task Silent_fault()
    {
        _bus.SetFault(1, new SimulatedFault { Silent = true });
        Assert.Null(await SendAsync("01 04 00 00 00 02 71 CB", 100));
    }

    [Fact]
    public async Task Bad_crc_fault()
    {
        _bus.SetFault(1, new SimulatedFault { CorruptCrc = true });
        Assert.Equal("01040443663333", (await SendAsync("01 04 00 00 00 02 71 CB"))![..14]);
        Assert.NotEqual("010404436633335AFA", await SendAsync("01 04 00 00 00 02 71 CB"));
    }

    [Fact]
    public async Task Delay_fault_waits_on_the_time_provider()
    {
        _bus.SetFault(1, new SimulatedFault { ReplyDelay = TimeSpan.FromMilliseconds(500) });
        await _bus.WriteAsync(Hex.Bytes("01 04 00 00 00 02 71 CB"), CancellationToken.None);
        var buffer = new byte[16];
        var read = _bus.ReadAsync(buffer, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(9, await read.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Late_reply_after_discard_shows_up_as_stale_bytes()
    {
        _bus.SetFault(1, new SimulatedFault { ReplyDelay = TimeSpan.FromSeconds(1) });
        await _bus.WriteAsync(Hex.Bytes("01 04 00 00 00 02 71 CB"), CancellationToken.None);
        _bus.DiscardInput();
        _time.Advance(TimeSpan.FromSeconds(1));
        var buffer = new byte[16];
        Assert.Equal(9, await _bus.ReadAsync(buffer, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Chunked_replies_arrive_a_byte_at_a_time()
    {
        _bus.ReplyChunkSize = 1;
        await _bus.WriteAsync(Hex.Bytes("01 04 00 00 00 02 71 CB"), CancellationToken.None);
        var buffer = new byte[16];
        for (var i = 0; i < 9; i++) Assert.Equal(1, await _bus.ReadAsync(buffer.AsMemory(i), CancellationToken.None));
        Assert.Equal("010404436633335AFA", Hex.Of(buffer.AsSpan(0, 9)));
    }

    [Fact]
    public async Task Read_honours_cancellation_and_dispose_ends_reads()
    {
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bus.ReadAsync(new byte[4], cts.Token).AsTask());
        var pending = _bus.ReadAsync(new byte[4], CancellationToken.None).AsTask();
        await _bus.DisposeAsync();
        Assert.Equal(0, await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Master_over_the_bus_sees_exceptions_and_timeouts()
    {
        var master = new ModbusRtuMaster(_bus, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromMilliseconds(100), Retries = 0 });
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(
            () => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x0100, 2, CancellationToken.None));
        Assert.Equal("exception_02", ex.Reason);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        await Assert.ThrowsAsync<TimeoutException>(() => master.ReadRegistersAsync(9, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));
    }
}
