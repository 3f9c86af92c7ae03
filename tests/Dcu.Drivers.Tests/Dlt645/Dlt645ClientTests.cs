using Dcu.Core.Abstractions;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

public class Dlt645ClientTests
{
    private static readonly Dlt645Address MeterAddress = Dlt645Address.Parse(Dlt645Vectors.Meter);
    private static readonly DateTimeOffset Start = new(2024, 5, 17, 4, 0, 0, TimeSpan.Zero); // 12:00 at UTC+8

    private static (SimulatedDlt645Bus Bus, SimulatedDlt645Meter Meter, Dlt645Client Client) Create(int retries = 1, int chunk = 0)
    {
        // Real time for the client's timeouts (short), a fixed clock for the meter's values.
        var meterTime = new FakeTimeProvider(Start);
        var bus = new SimulatedDlt645Bus(TimeProvider.System) { ReplyChunkSize = chunk };
        var meter = new SimulatedDlt645Meter(MeterAddress, meterTime, seed: 7);
        bus.Attach(meter);
        bus.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var client = new Dlt645Client(bus, new Dlt645ClientOptions
        {
            ResponseTimeout = TimeSpan.FromMilliseconds(150),
            InterByteTimeout = TimeSpan.FromMilliseconds(100),
            Retries = retries,
            BroadcastTurnaround = TimeSpan.Zero,
        });
        return (bus, meter, client);
    }

    [Fact]
    public async Task Reads_a_value_and_sends_the_verified_request_with_FE_preamble()
    {
        var (bus, meter, client) = Create(chunk: 1);
        var data = await client.ReadAsync(MeterAddress, Dlt645DataId.ForwardActiveEnergyTotal, CancellationToken.None);
        Assert.Equal(Dlt645Vectors.ReadForwardActive.Replace(" ", "", StringComparison.Ordinal), Hex.Of(Assert.Single(bus.Written)));
        Assert.Equal(meter.ForwardActiveKwh[0], Bcd.Decode(data, 2, false));
        var c = client.Counters.Snapshot();
        Assert.Equal((1, 1, 0, 0L), (c.Requests, c.Responses, c.Timeouts, c.GarbageBytes));
    }

    [Fact]
    public async Task No_requested_data_becomes_a_Dlt645MeterException_and_is_not_retried()
    {
        var (bus, _, client) = Create();
        var ex = await Assert.ThrowsAsync<Dlt645MeterException>(() => client.ReadAsync(MeterAddress, (Dlt645DataId)0x0280000A, CancellationToken.None));
        Assert.Equal("dlt645_no_data", ex.Reason);
        Assert.Equal(Dlt645ErrorWord.NoRequestedData, ex.ErrorWord);
        Assert.IsAssignableFrom<MeterProtocolException>(ex);
        Assert.Single(bus.Written);
        Assert.Equal(1, client.Counters.Snapshot().ErrorRepliesByReason["dlt645_no_data"]);
    }

    [Fact]
    public async Task A_silent_meter_times_out_after_the_retries()
    {
        var (bus, meter, client) = Create(retries: 1);
        meter.Silent = true;
        await Assert.ThrowsAsync<TimeoutException>(() => client.ReadAsync(MeterAddress, Dlt645DataId.VoltageA, CancellationToken.None));
        Assert.Equal(2, bus.Written.Count);
        var c = client.Counters.Snapshot();
        Assert.Equal((2L, 1L), (c.Timeouts, c.Retries));
    }

    [Fact]
    public async Task Bad_checksum_is_counted_and_reported_as_a_protocol_error()
    {
        var (_, meter, client) = Create(retries: 0);
        meter.CorruptChecksum = true;
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => client.ReadAsync(MeterAddress, Dlt645DataId.VoltageA, CancellationToken.None));
        Assert.Equal("dlt645_checksum", ex.Reason);
        Assert.Equal(1, client.Counters.Snapshot().ChecksumErrors);
    }

    [Fact]
    public async Task A_reply_from_another_address_is_dropped_and_counted()
    {
        var (_, meter, client) = Create(retries: 0);
        meter.ReplyAs = Dlt645Address.Parse("000000000042");
        var ex = await Assert.ThrowsAsync<MeterProtocolException>(() => client.ReadAsync(MeterAddress, Dlt645DataId.VoltageA, CancellationToken.None));
        Assert.Equal("dlt645_wrong_address", ex.Reason);
        Assert.Equal(1, client.Counters.Snapshot().WrongAddress);
    }

    [Fact]
    public async Task Noise_echo_and_FE_preamble_are_skipped_byte_by_byte()
    {
        var (bus, meter, client) = Create(chunk: 1);
        meter.ReplyPreambleLength = 4;
        bus.NoiseBeforeReply = [0x00, 0x68, 0xFF, 0x13];
        bus.EchoRequests = true;
        var data = await client.ReadAsync(MeterAddress, Dlt645DataId.VoltageA, CancellationToken.None);
        Assert.InRange(Bcd.Decode(data, 1, false), 200m, 240m);
        var c = client.Counters.Snapshot();
        Assert.Equal(4, c.GarbageBytes);
        Assert.Equal(0, c.FrameErrors); // the echo is not an error
    }

    [Fact]
    public async Task Follow_up_frames_are_fetched_transparently()
    {
        var (bus, meter, client) = Create(chunk: 3);
        meter.MaxReplyDataLength = 10; // 6 value bytes per frame, 5 with SEQ
        var data = await client.ReadAsync(MeterAddress, Dlt645DataId.ForwardActiveEnergyBlock, CancellationToken.None);
        var values = Dlt645Values.DecodeEnergyBlock(data);
        Assert.Equal(meter.ForwardActiveKwh, values);
        Assert.True(bus.Written.Count >= 4);
        Assert.All(bus.Written.Skip(1), f => Assert.Equal(0x12, f[4 + 8]));
        Assert.Equal(bus.Written.Count - 1, client.Counters.Snapshot().FollowUpFrames);
    }

    [Fact]
    public async Task Reads_the_address_of_the_only_meter()
    {
        var (bus, _, client) = Create();
        Assert.Equal(MeterAddress, await client.ReadAddressAsync(CancellationToken.None));
        Assert.Equal("FEFEFEFE" + Dlt645Vectors.ReadAddress.Replace(" ", "", StringComparison.Ordinal), Hex.Of(bus.Written[0]));
    }

    [Fact]
    public async Task Broadcast_time_sets_the_meter_clock_without_a_reply()
    {
        var (bus, meter, client) = Create();
        var target = new DateTimeOffset(2024, 5, 17, 13, 45, 30, TimeSpan.FromHours(8));
        await client.BroadcastTimeAsync(target, CancellationToken.None);
        Assert.Equal("FEFEFEFE" + Dlt645Vectors.BroadcastTime.Replace(" ", "", StringComparison.Ordinal), Hex.Of(bus.Written[0]));
        Assert.Equal(target.DateTime, meter.Clock);
        Assert.Equal(target.DateTime, await client.ReadClockAsync(MeterAddress, CancellationToken.None));
        Assert.Equal(1, client.Counters.Snapshot().Broadcasts);
    }

    [Fact]
    public async Task Relay_control_trips_and_closes_and_status_word_3_follows()
    {
        var (_, meter, client) = Create();
        var until = new DateTimeOffset(meter.Clock.AddMinutes(10), TimeSpan.FromHours(8));
        var trip = await client.RelayControlAsync(MeterAddress, Dlt645RelayCommand.Trip, meter.Password, 0x12345678, until, CancellationToken.None);
        Assert.True(trip.Accepted);
        Assert.True(meter.RelayOpen);
        Assert.True((await client.ReadStatus3Async(MeterAddress, CancellationToken.None)).HasFlag(Dlt645RunningStatus3.RelayOpen));

        var wrong = await client.RelayControlAsync(MeterAddress, Dlt645RelayCommand.ClosePermitted, new Dlt645Password(2, 0x999999), 0, until, CancellationToken.None);
        Assert.False(wrong.Accepted);
        Assert.Equal("dlt645_unauthorized", wrong.Reason);
        Assert.True(meter.RelayOpen);

        // 1BH only permits closing: the relay stays open (bit 4) with the trip order withdrawn (bit 6 clear) until the button is pressed.
        var permit = await client.RelayControlAsync(MeterAddress, Dlt645RelayCommand.ClosePermitted, meter.Password, 0, until, CancellationToken.None);
        Assert.True(permit.Accepted);
        var waiting = await client.ReadStatus3Async(MeterAddress, CancellationToken.None);
        Assert.True(waiting.IsAwaitingManualClose());
        meter.PressButton();
        Assert.False((await client.ReadStatus3Async(MeterAddress, CancellationToken.None)).HasFlag(Dlt645RunningStatus3.RelayOpen));

        await client.RelayControlAsync(MeterAddress, Dlt645RelayCommand.Trip, meter.Password, 0, until, CancellationToken.None);
        var close = await client.RelayControlAsync(MeterAddress, Dlt645RelayCommand.CloseDirect, meter.Password, 0, until, CancellationToken.None);
        Assert.True(close.Accepted);
        Assert.False((await client.ReadStatus3Async(MeterAddress, CancellationToken.None)).HasFlag(Dlt645RunningStatus3.RelayOpen));
    }

    [Fact]
    public async Task Broadcast_address_cannot_be_read()
    {
        var (_, _, client) = Create();
        await Assert.ThrowsAsync<ArgumentException>(() => client.ReadAsync(Dlt645Address.Broadcast, Dlt645DataId.VoltageA, CancellationToken.None));
    }
}
