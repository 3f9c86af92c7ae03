using Dcu.Core.Abstractions;
using Dcu.Drivers.Cellular;
using Dcu.Drivers.Simulation;
using Dcu.Drivers.Tests.Mqtt;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Drivers.Tests.Cellular;

/// <summary>The modem driver against the simulated modem, on fake time: start-up, polls, signal, SIM, registration, silence, staleness.</summary>
public sealed class CellularModemTests : IAsyncDisposable
{
    private static readonly CellularModemOptions Options = new() { PollInterval = TimeSpan.FromMinutes(1), CommandTimeout = TimeSpan.FromSeconds(5) };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<CellularModem> _log = new();
    private SimulatedAtModem _sim;
    private CellularModem _modem;

    public CellularModemTests()
    {
        _sim = new SimulatedAtModem(_time);
        _modem = new CellularModem(_sim, Options, _time, _log);
    }

    public ValueTask DisposeAsync() => _modem.DisposeAsync();

    private void Use(SimulatedAtModemOptions options)
    {
        _sim = new SimulatedAtModem(_time, options);
        _modem = new CellularModem(_sim, Options, _time, _log);
    }

    private int Logged(string level, string fragment) => _log.Lines.Count(l => l.StartsWith(level, StringComparison.Ordinal) && l.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public async Task Start_up_initialises_reads_the_identity_once_and_polls()
    {
        Assert.Null(_modem.Read());
        await _modem.PollAsync(CancellationToken.None);

        Assert.Equal(["ATE0", "AT+CMEE=1", "AT+CGSN", "AT+CCID", "AT+COPS?", "AT+CSQ", "AT+CEREG?", "AT+CREG?", "AT+CPIN?"], _sim.Commands);
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
        var s = _modem.Snapshot();
        Assert.Equal("356938035643809", s.Imei);
        Assert.Equal("...7890", s.IccidTail);
        Assert.Equal("DCU Sim Telecom", s.Operator);
        Assert.Equal(SimState.Ready, s.Sim);
        Assert.Equal(RegistrationState.RegisteredHome, s.Registration);
        Assert.Equal(AccessTechnology.EUtran, s.Technology);
        Assert.True(s.Answering);
        Assert.Equal(1, s.Polls);
        Assert.Equal(_time.GetUtcNow(), s.LastPollUtc);

        Assert.Equal(1, Logged("Information", "IMEI 356938035643809, SIM ICCID ...7890, operator DCU Sim Telecom"));
        Assert.DoesNotContain("89490200001234567890", _log.Text, StringComparison.Ordinal);

        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(["AT+CSQ", "AT+CEREG?", "AT+CREG?", "AT+CPIN?"], _sim.Commands.Skip(9));
        Assert.Equal(1, Logged("Information", "IMEI"));
    }

    [Fact]
    public async Task The_signal_follows_the_modem()
    {
        await _modem.PollAsync(CancellationToken.None);
        _sim.Rssi = 25;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(new LinkSignal(-63, 81), _modem.Read());
        _sim.Rssi = 0;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(new LinkSignal(-113, 0), _modem.Read());
        _sim.Rssi = SignalQuality.NotKnown;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Null(_modem.Read());
    }

    [Fact]
    public async Task A_wobbling_signal_stays_within_its_band()
    {
        _sim.RssiWobble = 3;
        var seen = new HashSet<int>();
        for (var i = 0; i < 20; i++)
        {
            await _modem.PollAsync(CancellationToken.None);
            seen.Add(_modem.Read()!.Dbm!.Value);
        }
        Assert.All(seen, d => Assert.InRange(d, -85, -73));
        Assert.True(seen.Count > 1);
    }

    [Fact]
    public async Task Sim_removed_gives_no_signal_and_a_new_sim_is_read_again()
    {
        await _modem.PollAsync(CancellationToken.None);
        _sim.SimPresent = false;
        await _modem.PollAsync(CancellationToken.None);
        await _modem.PollAsync(CancellationToken.None);

        Assert.Null(_modem.Read());
        Assert.Equal(SimState.NotInserted, _modem.Snapshot().Sim);
        Assert.Equal(1, Logged("Warning", "SIM NotInserted"));
        Assert.Equal(1, Logged("Warning", "registration lost (NotRegistered; was on DCU Sim Telecom)"));

        _sim.SimPresent = true;
        var before = _sim.Commands.Count;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Contains("AT+CCID", _sim.Commands.Skip(before));
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
        Assert.Equal(1, Logged("Information", "SIM ready"));
    }

    [Fact]
    public async Task Without_a_sim_at_start_the_error_is_cme_10_and_nothing_is_reported()
    {
        Use(new SimulatedAtModemOptions { SimPresent = false });
        await _modem.PollAsync(CancellationToken.None);
        var s = _modem.Snapshot();
        Assert.Equal(SimState.NotInserted, s.Sim);
        Assert.Null(s.IccidTail);
        Assert.Null(_modem.Read());
        Assert.Equal(1, Logged("Information", "SIM ICCID unknown, operator none"));
        Assert.Equal(1, Logged("Warning", "not registered (NotRegistered)"));
    }

    [Fact]
    public async Task Not_registered_gives_no_signal_and_each_change_is_logged_once()
    {
        await _modem.PollAsync(CancellationToken.None);
        _sim.Registration = RegistrationState.Searching;
        await _modem.PollAsync(CancellationToken.None);
        await _modem.PollAsync(CancellationToken.None);
        Assert.Null(_modem.Read());
        Assert.Equal(RegistrationState.Searching, _modem.Snapshot().Registration);
        Assert.Equal(1, Logged("Warning", "registration lost (Searching"));

        _sim.Registration = RegistrationState.RegisteredRoaming;
        await _modem.PollAsync(CancellationToken.None);
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
        Assert.Equal(1, Logged("Information", "registered (RegisteredRoaming"));
    }

    [Fact]
    public async Task A_registration_urc_is_taken_at_once()
    {
        Use(new SimulatedAtModemOptions { SupportsCereg = false });
        await _modem.PollAsync(CancellationToken.None);
        Assert.NotNull(_modem.Read());

        _sim.EmitUrc("+CREG: 3");
        await Eventually.TrueAsync(() => _modem.Read() is null, "the denied registration from the URC");
        Assert.Equal(RegistrationState.Denied, _modem.Snapshot().Registration);
        Assert.Equal(1, Logged("Warning", "registration lost (Denied"));
    }

    [Fact]
    public async Task A_3g_modem_without_cereg_and_with_another_iccid_command_is_asked_what_it_answers()
    {
        Use(new SimulatedAtModemOptions { SupportsCereg = false, IccidCommand = "AT+ICCID", Technology = AccessTechnology.UtranHspa });
        await _modem.PollAsync(CancellationToken.None);
        await _modem.PollAsync(CancellationToken.None);

        Assert.Equal(1, _sim.Commands.Count(c => c == "AT+CEREG?"));
        Assert.Equal(2, _sim.Commands.Count(c => c == "AT+CREG?"));
        Assert.Equal(1, _sim.Commands.Count(c => c == "AT+CCID"));
        var s = _modem.Snapshot();
        Assert.Equal("...7890", s.IccidTail);
        Assert.Equal(AccessTechnology.UtranHspa, s.Technology);
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
    }

    [Fact]
    public async Task A_silent_modem_is_counted_logged_once_and_recovers()
    {
        await _modem.PollAsync(CancellationToken.None);
        _sim.Silent = true;
        for (var i = 0; i < 3; i++) await PollWhileSilentAsync();

        var s = _modem.Snapshot();
        Assert.Equal(3, s.Timeouts);
        Assert.Equal(3, s.FailedPolls);
        Assert.False(s.Answering);
        Assert.Contains("no final result code", s.LastError, StringComparison.Ordinal);
        Assert.Equal(1, Logged("Warning", "does not answer"));

        _sim.Silent = false;
        var before = _sim.Commands.Count;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal("ATE0", _sim.Commands[before]); // started over: it may have been reset
        Assert.True(_modem.Snapshot().Answering);
        Assert.Equal(1, Logged("Information", "answers again (after 3 failed polls)"));
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
    }

    [Fact]
    public async Task The_signal_turns_stale_after_three_intervals_without_a_reading()
    {
        await _modem.PollAsync(CancellationToken.None);
        _time.Advance(Options.PollInterval * 3);
        Assert.NotNull(_modem.Read());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_modem.Read());
    }

    [Fact]
    public async Task A_modem_answering_error_to_everything_counts_errors_and_forgets_no_capability()
    {
        await _modem.PollAsync(CancellationToken.None);
        _sim.AnswerError = true;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(4, _modem.Snapshot().ErrorReplies);
        _sim.AnswerError = false;
        var before = _sim.Commands.Count;
        await _modem.PollAsync(CancellationToken.None);
        Assert.Contains("AT+CEREG?", _sim.Commands.Skip(before));
        Assert.Contains("AT+CREG?", _sim.Commands.Skip(before));
    }

    [Fact]
    public async Task Garbage_and_urcs_inside_answers_do_not_disturb_the_poll()
    {
        _sim.GarbageBeforeAnswers = true;
        _sim.UrcInsideAnswers = "+CEREG: 1";
        await _modem.PollAsync(CancellationToken.None);
        Assert.Equal(new LinkSignal(-79, 55), _modem.Read());
        var s = _modem.Snapshot();
        Assert.Equal(9, s.BadLines);
        Assert.Equal(8, s.Unsolicited); // during AT+CEREG? the line "+CEREG: 1" is information, not a URC
        Assert.Equal(RegistrationState.RegisteredHome, s.Registration);
        Assert.Equal(0, s.BadResponses);
    }

    [Fact]
    public async Task Run_polls_every_interval_until_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var run = _modem.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => _modem.Snapshot().Polls == 1, "the first poll at start");
        _time.Advance(Options.PollInterval);
        await Eventually.TrueAsync(() => _modem.Snapshot().Polls == 2, "the second poll one interval later");
        Assert.Equal(2, _sim.Commands.Count(c => c == "AT+CSQ"));
        await stop.CancelAsync();
        await Eventually.WithinAsync(run.ContinueWith(_ => true, TaskScheduler.Default), "RunAsync to return");
        Assert.True(run.IsCompletedSuccessfully);
    }

    private async Task PollWhileSilentAsync()
    {
        var before = _sim.Commands.Count;
        var poll = _modem.PollAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => _sim.Commands.Count > before, "a command written to the silent modem");
        _time.Advance(Options.CommandTimeout);
        await Eventually.WithinAsync(poll.ContinueWith(_ => true, TaskScheduler.Default), "the poll to give up");
        Assert.True(poll.IsCompletedSuccessfully);
    }
}
