using System.Buffers.Binary;
using System.Diagnostics;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Tests.Links;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Modbus;

public class ModbusRtuMasterTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Read_returns_the_register_bytes_and_writes_the_verified_request()
    {
        var (link, device, master) = Create();
        device.Registers[0] = 0x4366;
        device.Registers[1] = 0x3333;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None);

        Assert.Equal(230.2f, BinaryPrimitives.ReadSingleBigEndian(data));
        Assert.Equal("01040000000271CB", Hex.Of(Assert.Single(link.Written).Frame));
        var counters = master.Counters.Snapshot();
        Assert.Equal(1, counters.Requests);
        Assert.Equal(1, counters.Responses);
        Assert.Equal(0, counters.Retries);
    }

    [Fact]
    public async Task Writes_send_the_verified_requests_and_check_the_echo()
    {
        var (link, device, master) = Create();

        await master.WriteSingleRegisterAsync(1, 0x0001, 0x0003, CancellationToken.None);
        await master.WriteMultipleRegistersAsync(1, 0x0001, new ushort[] { 0x000A, 0x0102 }, CancellationToken.None);

        var frames = link.Written.Select(w => Hex.Of(w.Frame)).ToArray();
        Assert.Equal(["010600010003980B", "01100001000204000A01029230"], frames);
        Assert.Equal(0x000A, device.Registers[1]);
        Assert.Equal(0x0102, device.Registers[2]);
    }

    [Fact]
    public async Task Silence_throws_TimeoutException_after_the_retries()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.Silent;

        await Assert.ThrowsAsync<TimeoutException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None));

        var counters = master.Counters.Snapshot();
        Assert.Equal(3, counters.Requests);
        Assert.Equal(3, counters.Timeouts);
        Assert.Equal(2, counters.Retries);
        Assert.Equal(3, device.Requests);
    }

    [Fact]
    public async Task One_silent_attempt_is_retried()
    {
        var (_, device, master) = Create();
        device.Registers[7] = 42;
        device.Script.Enqueue(Misbehaviour.Silent);

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 7, 1, CancellationToken.None);

        Assert.Equal(42, BinaryPrimitives.ReadUInt16BigEndian(data));
        Assert.Equal(1, master.Counters.Timeouts);
        Assert.Equal(1, master.Counters.Retries);
    }

    [Fact]
    public async Task A_late_reply_is_drained_and_counted_before_the_retry()
    {
        // All on fake time, so the load of the machine cannot move the late reply out of the drain
        // window: the device stays silent, the first-byte timeout passes, and only then do the late
        // bytes arrive, while the master drains before its retry.
        var time = new FakeTimeProvider();
        var (link, device, master) = Create(new ModbusRtuMasterOptions
        {
            ResponseTimeout = TimeSpan.FromMilliseconds(100),
            InterByteTimeout = TimeSpan.FromMilliseconds(500),
            TimeProvider = time,
        });
        device.Registers[0] = 0x1234;
        device.Script.Enqueue(Misbehaviour.Silent);

        var read = master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);
        await Eventually.TrueAsync(() => device.Requests == 1, "the first request");
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Eventually.TrueAsync(() => master.Counters.Timeouts == 1, "the first-byte timeout");
        link.Deliver(RtuAdu.Of(1, 0x04, 0x02, 0x12, 0x34));
        await Eventually.TrueAsync(() => AdvanceUntil(read, time), "the retry's reply");

        Assert.Equal("1234", Hex.Of(await read));
        var counters = master.Counters.Snapshot();
        Assert.Equal(1, counters.Timeouts);
        Assert.Equal(1, counters.Retries);
        Assert.Equal(1, counters.LateReplies);
        Assert.Equal(7, counters.DiscardedBytes);
        Assert.Equal(0, link.DiscardedBytes);
    }

    /// <summary>One step of fake time per poll until <paramref name="task"/> is done.</summary>
    private static bool AdvanceUntil(Task task, FakeTimeProvider time)
    {
        if (!task.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        return task.IsCompleted;
    }

    [Fact]
    public async Task Bad_crc_once_is_counted_and_retried()
    {
        var (_, device, master) = Create();
        device.Registers[0] = 0xBEEF;
        device.Script.Enqueue(Misbehaviour.BadCrc);

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("BEEF", Hex.Of(data));
        Assert.Equal(1, master.Counters.CrcErrors);
        Assert.Equal(1, master.Counters.Retries);
        Assert.Equal(0, master.Counters.Timeouts);
    }

    [Fact]
    public async Task Bad_crc_every_time_is_a_MeterProtocolException_crc()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.BadCrc;

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));

        Assert.Equal("crc", ex.Reason);
        Assert.Equal(3, master.Counters.CrcErrors);
        Assert.Equal(2, master.Counters.Retries);
    }

    [Fact]
    public async Task A_reply_one_byte_at_a_time_is_assembled()
    {
        var (_, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(2), InterByteTimeout = TimeSpan.FromMilliseconds(500) });
        device.Registers[0x48] = 0x449A;
        device.Registers[0x49] = 0x5000;
        device.Always = Misbehaviour.OneByteAtATime;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0x48, 2, CancellationToken.None);

        Assert.Equal(1234.5f, BinaryPrimitives.ReadSingleBigEndian(data));
        Assert.Equal(0, master.Counters.Retries);
    }

    [Fact]
    public async Task Garbage_before_the_frame_is_skipped_and_counted()
    {
        var (_, device, master) = Create();
        device.Registers[0] = 0x0102;
        device.Always = Misbehaviour.GarbageFirst;

        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, 0, 1, CancellationToken.None);

        Assert.Equal("0102", Hex.Of(data));
        Assert.Equal(SimulatedModbusDevice.Garbage.Length, master.Counters.GarbageBytes);
        Assert.Equal(0, master.Counters.Retries);
    }

    [Fact]
    public async Task Exception_reply_is_a_typed_ModbusDeviceException_without_retry()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.Exception;
        device.ExceptionCode = ModbusExceptionCode.IllegalDataAddress;

        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.Equal("exception_02", ex.Reason);
        Assert.IsAssignableFrom<MeterProtocolException>(ex);
        Assert.Equal(1, master.Counters.Requests);
        Assert.Equal(1, master.Counters.Exceptions);
        Assert.Equal(0, master.Counters.Retries);
    }

    [Fact]
    public async Task Busy_is_retried()
    {
        var (_, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = ShortTimeout, BusyRetryDelay = TimeSpan.FromMilliseconds(10) });
        device.Script.Enqueue(Misbehaviour.Busy);

        await master.WriteSingleRegisterAsync(1, 5, 6, CancellationToken.None);

        Assert.Equal(6, device.Registers[5]);
        Assert.Equal(1, master.Counters.Exceptions);
        Assert.Equal(1, master.Counters.Retries);
    }

    [Fact]
    public async Task Reply_from_another_unit_is_wrong_unit()
    {
        var (_, device, master) = Create();
        device.Always = Misbehaviour.WrongUnit;

        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None));

        Assert.Equal("wrong_unit", ex.Reason);
        Assert.Equal(3, master.Counters.WrongUnit);
    }

    [Fact]
    public async Task Broadcast_write_returns_without_waiting_for_a_reply()
    {
        var (link, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(10) });
        var watch = Stopwatch.StartNew();

        await master.WriteSingleRegisterAsync(0, 3, 99, CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"broadcast took {watch.Elapsed}");
        Assert.Equal(99, device.Registers[3]);
        Assert.Equal(1, master.Counters.Broadcasts);
        Assert.Equal(0, master.Counters.Timeouts);
        Assert.Equal("0006000300633832", Hex.Of(Assert.Single(link.Written).Frame));
    }

    [Fact]
    public async Task Broadcast_read_and_reserved_units_are_refused()
    {
        var (link, _, master) = Create();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => master.ReadRegistersAsync(0, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => master.ReadRegistersAsync(248, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 126, CancellationToken.None));
        Assert.Empty(link.Written);
    }

    [Fact]
    public async Task Caller_cancellation_is_OperationCanceledException_not_timeout()
    {
        var (_, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(30) });
        device.Always = Misbehaviour.Silent;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, cts.Token));

        Assert.Equal(0, master.Counters.Timeouts);
    }

    [Fact]
    public async Task The_silent_interval_is_kept_between_frames()
    {
        // 300 baud, 11 bits: t3.5 = 128 ms, long enough to measure from below.
        var link = new InMemoryByteLink("slow", baudRate: 300, bitsPerCharacter: 11);
        _ = new SimulatedModbusDevice(link, 1);
        var master = new ModbusRtuMaster(link, new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(2) });
        Assert.Equal(128.3, master.SilentInterval.TotalMilliseconds, 1);
        Assert.Equal(master.SilentInterval, master.InterByteTimeout);

        await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);
        await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);

        var stamps = link.Written.Select(w => w.Timestamp).ToArray();
        Assert.True(Stopwatch.GetElapsedTime(stamps[0], stamps[1]) >= TimeSpan.FromMilliseconds(120));
    }

    [Fact]
    public async Task Concurrent_callers_never_overlap_on_the_bus()
    {
        var (_, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(2), InterByteTimeout = TimeSpan.FromMilliseconds(500) });
        device.Always = Misbehaviour.OneByteAtATime;
        device.ByteGap = TimeSpan.FromMilliseconds(1);

        var reads = Enumerable.Range(0, 4)
            .Select(i => master.ReadRegistersAsync(1, ModbusFunction.ReadHoldingRegisters, (ushort)i, 1, CancellationToken.None))
            .ToArray();
        await Eventually.WithinAsync(Task.WhenAll(reads), "four reads");

        Assert.Equal(4, device.Requests);
        Assert.Equal(0, device.Overlaps);
        Assert.Equal(0, master.Counters.Retries);
    }

    [Fact]
    public async Task The_response_timeout_runs_on_the_TimeProvider()
    {
        var time = new FakeTimeProvider();
        var (link, device, master) = Create(new ModbusRtuMasterOptions { ResponseTimeout = TimeSpan.FromSeconds(1), Retries = 0, TimeProvider = time });
        device.Always = Misbehaviour.Silent;

        var read = master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None);
        await Eventually.TrueAsync(() => !link.Written.IsEmpty, "the request to be written");
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => Eventually.WithinAsync(read, "the timeout"));
        Assert.Equal(1, master.Counters.Timeouts);
    }

    [Fact]
    public async Task Closed_link_is_an_IOException()
    {
        var (link, device, master) = Create();
        device.Always = Misbehaviour.Silent;
        link.Close();

        await Assert.ThrowsAsync<IOException>(() => master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 1, CancellationToken.None));
    }

    private static (InMemoryByteLink Link, SimulatedModbusDevice Device, ModbusRtuMaster Master) Create(ModbusRtuMasterOptions? options = null)
    {
        var link = new InMemoryByteLink();
        var device = new SimulatedModbusDevice(link, 1);
        var master = new ModbusRtuMaster(link, options ?? new ModbusRtuMasterOptions { ResponseTimeout = ShortTimeout });
        return (link, device, master);
    }
}
