using System.Buffers.Binary;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Tests.Links;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusTcpMasterTests
{
    [Fact]
    public async Task Read_writes_the_verified_mbap_request_and_returns_the_value()
    {
        var (link, device, master) = Create();
        device.Registers[0] = 0x4366;
        device.Registers[1] = 0x3333;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None);

        Assert.Equal(230.2f, BinaryPrimitives.ReadSingleBigEndian(data));
        Assert.Equal("000100000006010400000002", Hex.Of(Assert.Single(link.Written).Frame));
    }

    [Fact]
    public async Task Transaction_ids_increment()
    {
        var (link, _, master) = Create();

        await master.WriteSingleRegisterAsync(1, 1, 3, CancellationToken.None);
        await master.WriteMultipleRegistersAsync(1, 1, new ushort[] { 0x000A, 0x0102 }, CancellationToken.None);

        var ids = link.Written.Select(w => BinaryPrimitives.ReadUInt16BigEndian(w.Frame)).ToArray();
        Assert.Equal(new ushort[] { 1, 2 }, ids);
        Assert.Equal("00020000000B01100001000204000A0102", Hex.Of(link.Written.Last().Frame));
    }

    [Fact]
    public async Task A_stale_transaction_is_dropped_and_counted_and_the_right_one_read()
    {
        var (_, device, master) = Create();
        device.Registers[0] = 7;
        device.Always = Misbehaviour.StaleTransactionFirst;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("0007", Hex.Of(data));
        Assert.Equal(1, master.Counters.LateReplies);
        Assert.Equal(0, master.Counters.Retries);
    }

    [Fact]
    public async Task A_late_reply_after_a_timeout_is_skipped_by_the_next_request()
    {
        // On fake time, so a loaded machine cannot let the late reply slip into the first attempt's window.
        var time = new FakeTimeProvider();
        var (link, device, master) = Create(TimeSpan.FromMilliseconds(100), time);
        device.Registers[0] = 11;
        device.Script.Enqueue(Misbehaviour.Silent);

        var firstRead = master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None);
        await Eventually.TrueAsync(() => device.Requests == 1, "the first request");
        time.Advance(TimeSpan.FromMilliseconds(100));
        var first = await Eventually.WithinAsync(firstRead, "the retry's reply");
        // The silent attempt's reply turns up after the retry was answered.
        var silentAttempt = BinaryPrimitives.ReadUInt16BigEndian(link.Written.First().Frame);
        link.Deliver(Hex.Bytes($"{silentAttempt:X4} 0000 0005 01 03 02 000B"));
        device.Registers[0] = 12;
        var second = await master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("000B", Hex.Of(first));
        Assert.Equal("000C", Hex.Of(second));
        Assert.Equal(1, master.Counters.Timeouts);
        Assert.Equal(1, master.Counters.LateReplies);
    }

    [Fact]
    public async Task Silence_throws_TimeoutException()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.Silent;

        await Assert.ThrowsAsync<TimeoutException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None));

        Assert.Equal(3, master.Counters.Timeouts);
        Assert.Equal(2, master.Counters.Retries);
    }

    [Fact]
    public async Task Exception_reply_is_a_ModbusDeviceException()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.Exception;
        device.ExceptionCode = ModbusExceptionCode.GatewayTargetFailedToRespond;

        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None));

        Assert.Equal("exception_0B", ex.Reason);
        Assert.Equal(1, master.Counters.Requests);
    }

    [Fact]
    public async Task Bad_mbap_header_discards_input_and_the_retry_succeeds()
    {
        var (link, device, master) = Create();
        device.Registers[0] = 5;
        link.Deliver(Hex.Bytes("00 01 00 07 00 03 01 84 02"));

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("0005", Hex.Of(data));
        Assert.Equal(1, master.Counters.FrameErrors);
        Assert.Equal(1, master.Counters.Retries);
    }

    [Fact]
    public async Task One_byte_at_a_time_is_assembled()
    {
        var (_, device, master) = Create(TimeSpan.FromSeconds(2));
        device.Registers[0] = 0xCAFE;
        device.Always = Misbehaviour.OneByteAtATime;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("CAFE", Hex.Of(data));
    }

    private static (InMemoryByteLink Link, SimulatedModbusDevice Device, ModbusTcpMaster Master) Create(TimeSpan? timeout = null, TimeProvider? time = null)
    {
        var link = new InMemoryByteLink("tcp");
        var device = new SimulatedModbusDevice(link, 1, tcp: true);
        var master = new ModbusTcpMaster(link, new ModbusTcpMasterOptions
        {
            ResponseTimeout = timeout ?? TimeSpan.FromMilliseconds(150),
            TimeProvider = time ?? TimeProvider.System,
        });
        return (link, device, master);
    }
}
