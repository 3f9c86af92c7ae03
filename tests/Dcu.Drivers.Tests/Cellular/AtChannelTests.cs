using System.Collections.Concurrent;
using Dcu.Drivers.Cellular;
using Dcu.Drivers.Simulation;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>The AT channel against the simulated modem in memory: echo, URCs between and inside answers, garbage, stale input, timeouts.</summary>
public sealed class AtChannelTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<string> _urcs = new();
    private SimulatedAtModem _modem = null!;
    private AtChannel _channel = null!;

    public async Task InitializeAsync() => await OpenAsync(new SimulatedAtModemOptions());

    public async Task DisposeAsync() => await _channel.DisposeAsync();

    private async Task OpenAsync(SimulatedAtModemOptions options)
    {
        _modem = new SimulatedAtModem(_time, options);
        _channel = new AtChannel(_modem, _time, onUnsolicited: _urcs.Enqueue);
        await _channel.OpenAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_power_up_echo_is_tolerated_and_ate0_turns_it_off()
    {
        Assert.True(_modem.Echo);
        var csq = await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None);
        Assert.Equal(["+CSQ: 17,99"], csq.Lines);

        Assert.True((await _channel.SendAsync("ATE0", Timeout, CancellationToken.None)).IsOk);
        Assert.False(_modem.Echo);
        Assert.Equal(["+CSQ: 17,99"], (await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None)).Lines);
    }

    [Fact]
    public async Task Answers_arriving_one_byte_per_read_are_assembled()
    {
        await _channel.DisposeAsync();
        await OpenAsync(new SimulatedAtModemOptions { ReplyChunkSize = 1 });
        var cops = await _channel.SendAsync("AT+COPS?", Timeout, CancellationToken.None);
        Assert.Equal(["+COPS: 0,0,\"DCU Sim Telecom\",7"], cops.Lines);
    }

    [Fact]
    public async Task Urcs_reach_the_handler_between_commands_and_from_inside_an_answer()
    {
        _modem.EmitUrc("+CEREG: 5");
        await Eventually.TrueAsync(() => _urcs.Contains("+CEREG: 5"), "the URC between commands");

        _modem.UrcInsideAnswers = "RING";
        var csq = await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None);
        Assert.Equal(["+CSQ: 17,99"], csq.Lines);
        await Eventually.TrueAsync(() => _urcs.Contains("RING"), "the URC inside the answer");
        Assert.Equal(2, _channel.UnsolicitedLines);
    }

    [Fact]
    public async Task Garbage_before_answers_costs_only_its_own_line()
    {
        _modem.GarbageBeforeAnswers = true;
        var csq = await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None);
        Assert.Equal(["+CSQ: 17,99"], csq.Lines);
        Assert.Equal(1, _channel.BadLines);

        _modem.InjectBytes(AtWire.Bytes(new string('#', 700)));
        _modem.InjectBytes(AtWire.Bytes(new string('#', 100) + "\r\n"));
        await Eventually.TrueAsync(() => _channel.BadLines == 2, "the over-long line refused");
        Assert.Equal(["+CSQ: 17,99"], (await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None)).Lines);
        Assert.Equal(0, _channel.StrayLines); // the tail of the long line was dropped, not taken for a line
    }

    [Fact]
    public async Task Stale_input_before_a_command_is_not_taken_for_its_answer()
    {
        _modem.InjectBytes(AtWire.Bytes("\r\n+CSQ: 3,99\r\n\r\nOK\r\n\r\n+CSQ: 4"));
        await Eventually.TrueAsync(() => _channel.StrayLines == 2, "the late answer seen with no command in flight");
        var csq = await _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None);
        Assert.Equal(["+CSQ: 17,99"], csq.Lines);
    }

    [Fact]
    public async Task A_silent_modem_times_out_on_the_time_provider_and_the_next_command_works()
    {
        _modem.Silent = true;
        var send = _channel.SendAsync("AT+CSQ", Timeout, CancellationToken.None);
        await Eventually.TrueAsync(() => _modem.Commands.Contains("AT+CSQ"), "the command written");
        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => send);
        Assert.Contains("AT+CSQ", ex.Message, StringComparison.Ordinal);

        _modem.Silent = false;
        Assert.True((await _channel.SendAsync("AT", Timeout, CancellationToken.None)).IsOk);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_timeout()
    {
        _modem.Silent = true;
        using var cts = new CancellationTokenSource();
        var send = _channel.SendAsync("AT+CSQ", Timeout, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task Commands_run_one_at_a_time()
    {
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _channel.SendAsync(i % 2 == 0 ? "AT+CSQ" : "AT+CPIN?", Timeout, CancellationToken.None)));
        for (var i = 0; i < all.Length; i++)
            Assert.Equal(i % 2 == 0 ? "+CSQ: 17,99" : "+CPIN: READY", Assert.Single(all[i].Lines));
    }

    [Fact]
    public async Task A_command_line_with_a_terminator_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _channel.SendAsync("AT\rATZ", Timeout, CancellationToken.None));
}
