using System.Collections.Concurrent;
using Dcu.Core.Abstractions;
using Dcu.Host.Runtime;
using Dcu.Host.Tests.Technician;
using Dcu.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Runtime;

public sealed class StatusLedsTests
{
    private static readonly StatusSnapshot Healthy = new(null, UplinkConnected: true, OutboxWriteFailing: false, DeadBuses: []);

    /// <summary>LEDs as the loop wrote them; <see cref="Broken"/> makes every write fail as a vanished GPIO line would.</summary>
    private sealed class RecordingLeds : IStatusLeds
    {
        private readonly ConcurrentDictionary<StatusLed, bool> _lit = new();

        public ConcurrentQueue<(StatusLed Led, bool On)> Writes { get; } = new();

        public volatile bool Broken;

        public string Name => "test leds";

        public bool Lit(StatusLed led) => _lit.TryGetValue(led, out var on) && on;

        public bool Written(StatusLed led) => _lit.ContainsKey(led);

        public void Set(StatusLed led, bool on)
        {
            if (Broken) throw new IOException("line gone");
            _lit[led] = on;
            Writes.Enqueue((led, on));
        }
    }

    /// <summary>The DCU's state as the test sets it, and how many ticks have read it.</summary>
    private sealed class Dcu
    {
        private int _reads;

        public volatile StatusSnapshot State = Healthy;

        public int Reads => Volatile.Read(ref _reads);

        public StatusSnapshot Read()
        {
            Interlocked.Increment(ref _reads);
            return State;
        }
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Harness(ILogger? logger = null)
        {
            Loop = new StatusLeds(Leds, Dcu.Read, Time, logger ?? new RecordingLogger());
            Run = Task.Run(() => Loop.RunAsync(_stop.Token));
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

        public RecordingLeds Leds { get; } = new();

        public Dcu Dcu { get; } = new();

        public StatusLeds Loop { get; }

        public Task Run { get; }

        /// <summary>
        /// Moves on by one half blink period and waits until the loop has read the state for it. The loop is
        /// sequential, so once a tick has read, every write of the tick before it is done.
        /// </summary>
        public async Task NextTickAsync()
        {
            var reads = Dcu.Reads;
            Time.Advance(StatusLeds.BlinkHalfPeriod);
            await Eventually.TrueAsync(() => Dcu.Reads > reads, "the next LED tick");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Eventually.WithinAsync(Run.ContinueWith(_ => true, TaskScheduler.Default), "the LED loop to end");
        }

        public async ValueTask DisposeAsync()
        {
            if (!Run.IsCompleted) await StopAsync();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Run_blinks_at_1_Hz_while_healthy_and_Uplink_is_lit_while_connected()
    {
        await using var h = new Harness();
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Run) && h.Leds.Lit(StatusLed.Uplink) && h.Leds.Written(StatusLed.Fault), "the first tick");
        Assert.False(h.Leds.Lit(StatusLed.Fault));

        for (var i = 0; i < 4; i++)
        {
            var before = h.Leds.Lit(StatusLed.Run);
            var reads = h.Dcu.Reads;
            h.Time.Advance(StatusLeds.BlinkHalfPeriod);
            await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Run) != before, $"Run to toggle after half period {i + 1}");
            Assert.True(h.Dcu.Reads > reads);
            Assert.True(h.Leds.Lit(StatusLed.Uplink));
        }
    }

    [Fact]
    public async Task A_problem_holds_Run_steady_and_health_brings_the_blink_back()
    {
        await using var h = new Harness();
        await Eventually.TrueAsync(() => h.Leds.Written(StatusLed.Fault), "the first tick");
        h.Dcu.State = Healthy with { Problem = "the outbox writer has stopped" };
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Run), "Run lit");
        await h.NextTickAsync();
        var runWrites = h.Leds.Writes.Count(w => w.Led == StatusLed.Run);

        for (var i = 0; i < 4; i++) await h.NextTickAsync();

        // Steady: lit, and not written again through four half periods.
        Assert.True(h.Leds.Lit(StatusLed.Run));
        Assert.Equal(runWrites, h.Leds.Writes.Count(w => w.Led == StatusLed.Run));

        h.Dcu.State = Healthy;
        await h.NextTickAsync();
        var first = h.Leds.Lit(StatusLed.Run);
        h.Time.Advance(StatusLeds.BlinkHalfPeriod);
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Run) != first, "Run to blink again");
    }

    [Fact]
    public async Task Uplink_and_Fault_follow_the_DCU_and_are_written_only_when_they_change()
    {
        await using var h = new Harness();
        await Eventually.TrueAsync(() => h.Leds.Written(StatusLed.Fault), "the first tick");

        h.Dcu.State = Healthy with { UplinkConnected = false };
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => !h.Leds.Lit(StatusLed.Uplink), "Uplink dark");

        h.Dcu.State = Healthy with { UplinkConnected = false, OutboxWriteFailing = true };
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Fault), "Fault lit: the outbox cannot write");

        h.Dcu.State = Healthy with { DeadBuses = ["rs485-1"] };
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Uplink), "Uplink lit again");
        Assert.True(h.Leds.Lit(StatusLed.Fault), "Fault lit: a dead bus");

        h.Dcu.State = Healthy;
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => !h.Leds.Lit(StatusLed.Fault), "Fault dark");

        // Steady LEDs are not rewritten at every tick: only Run, which blinks, is.
        await h.NextTickAsync();
        var writes = h.Leds.Writes.Count(w => w.Led != StatusLed.Run);
        for (var i = 0; i < 3; i++) await h.NextTickAsync();
        Assert.Equal(writes, h.Leds.Writes.Count(w => w.Led != StatusLed.Run));
    }

    [Fact]
    public async Task Stopping_darkens_every_LED()
    {
        await using var h = new Harness();
        await Eventually.TrueAsync(() => h.Leds.Written(StatusLed.Fault), "the first tick");
        h.Dcu.State = Healthy with { Problem = "a DCU loop has ended", OutboxWriteFailing = true };
        await h.NextTickAsync(); // the first tick read the state before it was set: the next one shows it
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Run) && h.Leds.Lit(StatusLed.Uplink) && h.Leds.Lit(StatusLed.Fault), "all lit");

        await h.StopAsync();

        Assert.True(h.Run.IsCompletedSuccessfully);
        Assert.All(Enum.GetValues<StatusLed>(), led => Assert.False(h.Leds.Lit(led), $"{led} dark after stop"));
        Assert.Equal(LedStates.Stopped, h.Loop.Current);
    }

    [Fact]
    public async Task Write_errors_are_logged_once_and_the_LEDs_catch_up_when_writable_again()
    {
        var log = new RecordingLogger();
        await using var h = new Harness(log);
        await Eventually.TrueAsync(() => h.Leds.Written(StatusLed.Fault), "the first tick");

        h.Leds.Broken = true;
        h.Dcu.State = Healthy with { OutboxWriteFailing = true };
        for (var i = 0; i < 3; i++)
        {
            var reads = h.Dcu.Reads;
            h.Time.Advance(StatusLeds.BlinkHalfPeriod);
            await Eventually.TrueAsync(() => h.Dcu.Reads > reads, "a tick while the LEDs are broken");
        }
        Assert.False(h.Run.IsCompleted);
        await Eventually.TrueAsync(() => log.Entries.Count(e => e.Level == LogLevel.Warning && e.Text.Contains("Cannot set", StringComparison.Ordinal)) == 1, "one warning");

        h.Leds.Broken = false;
        await h.NextTickAsync();
        await Eventually.TrueAsync(() => h.Leds.Lit(StatusLed.Fault), "Fault lit once writable");
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("Cannot set", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Text.Contains("writable again", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Text.Contains("Fault LED on: the outbox cannot write", StringComparison.Ordinal));
    }

    [Fact]
    public void A_state_that_cannot_be_read_shows_as_a_problem_logged_once()
    {
        var leds = new RecordingLeds();
        var log = new RecordingLogger();
        var broken = new StatusLeds(leds, () => throw new InvalidOperationException("bug"), new FakeTimeProvider(), log);

        broken.Tick(blinkOn: false);

        broken.Tick(blinkOn: true);

        Assert.Equal(LedMode.On, broken.Current.Run);
        Assert.Equal(LedMode.Off, broken.Current.Uplink);
        Assert.True(leds.Lit(StatusLed.Run));
        Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
    }
}
