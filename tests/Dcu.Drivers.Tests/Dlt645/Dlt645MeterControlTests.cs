using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Mqtt;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Dlt645;

/// <summary><see cref="Dlt645MeterReader"/> as <see cref="IMeterControl"/> against a simulated meter on a simulated RS485 line (real DL/T 645 bytes).</summary>
public class Dlt645MeterControlTests
{
    private static readonly Dlt645Address MeterAddress = Dlt645Address.Parse(Dlt645Vectors.Meter);
    private static readonly Meter Entry = new(new MeterId("m1"), "rs485-1", MeterProtocol.Dlt645, Dlt645Vectors.Meter, "dlt645");
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 5, 17, 11, 30, 0, TimeSpan.Zero)); // 19:30 local: load on
    private readonly ListLogger<Dlt645MeterReader> _log = new();
    private readonly ListLogger<Dlt645Client> _clientLog = new();
    private readonly SimulatedDlt645Bus _bus = new(TimeProvider.System);
    private readonly SimulatedDlt645Meter _meter;

    public Dlt645MeterControlTests()
    {
        _meter = new SimulatedDlt645Meter(MeterAddress, _time, seed: 5) { Password = new Dlt645Password(0x02, 0x918273) };
        _bus.Attach(_meter);
        _bus.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private Dlt645MeterReader Reader(string? password = "02918273")
    {
        var client = new Dlt645Client(_bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(300), Retries = 0, BroadcastTurnaround = TimeSpan.Zero }, _clientLog);
        return new Dlt645MeterReader(client, _log)
        {
            MeterUtcOffset = Beijing,
            TimeProvider = _time,
            Control = new Dlt645ControlSettings
            {
                RelayPassword = password is null ? null : Dlt645ControlSettings.ParsePassword(password, "RelayPassword"),
                OperatorCode = 0x00000042,
            },
        };
    }

    [Fact]
    public async Task Relay_round_trip_reads_back_and_a_disconnected_meter_delivers_nothing()
    {
        var reader = Reader();
        Assert.True(reader.SupportsRelay(Entry));
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(Entry, CancellationToken.None));

        await reader.SetRelayAsync(Entry, RelayAction.Disconnect, CancellationToken.None);
        Assert.Equal(RelayState.Disconnected, await reader.ReadRelayAsync(Entry, CancellationToken.None));
        var trip = _bus.Written.Single(f => f.Length > 10 && f[12] == 0x1C); // after FE x4: 68 A0..A5 68 C
        Assert.Equal(0x1A + 0x33, trip[4 + 10 + 8]); // N1 = 1AH trip
        Assert.Equal(0x42 + 0x33, trip[4 + 10 + 4]); // operator code C0

        var energy = _meter.ForwardActiveKwh[0];
        _time.Advance(TimeSpan.FromHours(1));
        var values = await reader.ReadAsync(Entry, [ObisCode.ActivePowerTotal, ObisCode.CurrentL1, ObisCode.ActiveEnergyImport], CancellationToken.None);
        Assert.Equal(0, values.Single(v => v.Obis == ObisCode.ActivePowerTotal).Value);
        Assert.Equal(0, values.Single(v => v.Obis == ObisCode.CurrentL1).Value);
        Assert.Equal((double)energy, values.Single(v => v.Obis == ObisCode.ActiveEnergyImport).Value, 2);

        await reader.SetRelayAsync(Entry, RelayAction.Connect, CancellationToken.None);
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(Entry, CancellationToken.None));
        Assert.False(_meter.RelayOpen);
    }

    [Fact]
    public async Task Close_permitted_leaves_the_relay_open_until_the_button()
    {
        var client = new Dlt645Client(_bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(300), Retries = 0 });
        var reader = new Dlt645MeterReader(client)
        {
            MeterUtcOffset = Beijing,
            TimeProvider = _time,
            Control = new Dlt645ControlSettings { RelayPassword = _meter.Password, ConnectCommand = Dlt645RelayCommand.ClosePermitted },
        };
        await reader.SetRelayAsync(Entry, RelayAction.Disconnect, CancellationToken.None);
        await reader.SetRelayAsync(Entry, RelayAction.Connect, CancellationToken.None);
        Assert.Equal(RelayState.Disconnected, await reader.ReadRelayAsync(Entry, CancellationToken.None));
        _meter.PressButton();
        Assert.Equal(RelayState.Connected, await reader.ReadRelayAsync(Entry, CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_clearly_and_never_logged()
    {
        var reader = Reader("02736455");
        var ex = await Assert.ThrowsAsync<Dlt645MeterException>(() => reader.SetRelayAsync(Entry, RelayAction.Disconnect, CancellationToken.None));
        Assert.Equal("dlt645_unauthorized", ex.Reason);
        Assert.Equal(Dlt645ErrorWord.Unauthorized, ex.ErrorWord);
        Assert.Contains("password wrong or not authorised", ex.Message, StringComparison.Ordinal);
        Assert.False(_meter.RelayOpen);
        Assert.Equal(1, _meter.PasswordRefusals);

        await Assert.ThrowsAsync<Dlt645MeterException>(() => reader.SetClockAsync(Entry, _time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(2, _meter.PasswordRefusals);

        // The right password works; neither password shows in any log line or message, plain or as sent (+33H).
        await Reader().SetRelayAsync(Entry, RelayAction.Disconnect, CancellationToken.None);
        var logged = _log.Text + "\n" + _clientLog.Text + "\n" + ex.Message;
        Assert.Contains("refused", _log.Text, StringComparison.Ordinal);
        foreach (var secret in new[] { "918273", "738291", "A6B5C4", "736455", "556473", "8897A6" })
            Assert.DoesNotContain(secret, logged, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_password_there_is_no_relay_control()
    {
        var reader = Reader(password: null);
        Assert.False(reader.SupportsRelay(Entry));
        Assert.True(reader.SupportsClock(Entry));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.SetRelayAsync(Entry, RelayAction.Disconnect, CancellationToken.None));
        Assert.Empty(_bus.Written);
    }

    [Fact]
    public async Task Clock_reads_as_UTC_through_the_meter_offset_and_is_set_with_14H()
    {
        var reader = Reader();
        _meter.ClockOffset = TimeSpan.FromMinutes(7);
        var clock = await reader.ReadClockAsync(Entry, CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(7), clock);

        await reader.SetClockAsync(Entry, _time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, _meter.ClockOffset);
        Assert.Equal(_time.GetUtcNow(), await reader.ReadClockAsync(Entry, CancellationToken.None));
        Assert.Equal(2, _bus.Written.Count(f => f[12] == 0x14)); // date, then time
    }

    [Fact]
    public async Task Setting_the_clock_across_local_midnight_writes_the_date_again()
    {
        var justBefore = new DateTimeOffset(2024, 5, 17, 15, 59, 59, TimeSpan.Zero).AddMilliseconds(900); // 23:59:59.9 local
        _time.SetUtcNow(justBefore);
        _meter.ClockOffset = TimeSpan.FromMinutes(-5); // the meter still reads the 17th after midnight
        // The date write takes 200 ms on the DCU clock, so the time written is past midnight.
        var writes = 0;
        var client = new Dlt645Client(_bus, new Dlt645ClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(300), Retries = 0 });
        var exchange = new AdvancingExchange(client, _time, () => ++writes == 1 ? TimeSpan.FromMilliseconds(200) : TimeSpan.Zero);
        var control = new Dlt645MeterControl(exchange, new Dlt645ControlSettings { RelayPassword = _meter.Password }, Beijing, _time);
        await control.SetClockAsync(MeterAddress, justBefore, CancellationToken.None);
        Assert.Equal(3, writes); // date, time, date again
        var clock = _meter.Clock;
        Assert.Equal(new DateTime(2024, 5, 18, 0, 0, 0), clock.AddTicks(-(clock.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public async Task Broadcast_time_sets_every_clock_in_local_time()
    {
        var reader = Reader();
        _meter.ClockOffset = TimeSpan.FromMinutes(-3);
        Assert.True(await reader.BroadcastTimeAsync(_time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(TimeSpan.Zero, _meter.ClockOffset);
        var broadcast = _bus.Written.Single(f => f[12] == 0x08);
        Assert.Equal(Dlt645MeterControl.BroadcastTimeFrame(_time.GetUtcNow(), Beijing, 4), broadcast);

        // Beyond what the meter takes from a broadcast: nothing changes (time.sync writes or reports it).
        _meter.MaxBroadcastCorrection = TimeSpan.FromMinutes(5);
        _meter.ClockOffset = TimeSpan.FromMinutes(8);
        Assert.True(await reader.BroadcastTimeAsync(_time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(TimeSpan.FromMinutes(8), _meter.ClockOffset);
    }

    /// <summary>Passes requests to the client and moves the fake DCU clock after each one, as the line would take time.</summary>
    private sealed class AdvancingExchange(Dlt645Client client, FakeTimeProvider time, Func<TimeSpan> afterRequest) : IDlt645Exchange
    {
        public Task<byte[]> ReadAsync(Dlt645Address address, Dlt645DataId dataId, CancellationToken cancellationToken) => client.ReadAsync(address, dataId, cancellationToken);

        public async Task<Dlt645Reply> RequestAsync(Dlt645Address address, Dlt645Function function, byte[] data, CancellationToken cancellationToken)
        {
            var reply = await client.RequestAsync(address, function, data, cancellationToken);
            time.Advance(afterRequest());
            return reply;
        }
    }
}
