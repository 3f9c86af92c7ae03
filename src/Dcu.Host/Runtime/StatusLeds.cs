using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// Drives the status LEDs from the running DCU: every half blink period (500 ms, so Run blinks at
/// 1 Hz) it reads a <see cref="StatusSnapshot"/>, decides with <see cref="LedStates"/> and writes the
/// LEDs whose level changed. An LED that cannot be written is logged once per run of errors and
/// retried at the next tick; LEDs never stop the DCU. All LEDs go dark when the loop ends (the DCU stops).
/// </summary>
public sealed class StatusLeds(IStatusLeds output, Func<StatusSnapshot> snapshot, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan BlinkHalfPeriod = TimeSpan.FromMilliseconds(500);

    private static readonly StatusLed[] All = Enum.GetValues<StatusLed>();
    private readonly Dictionary<StatusLed, bool> _shown = [];
    private bool _writeFailing;
    private bool _snapshotFailing;
    private string? _fault;

    /// <summary>The states shown at the last tick.</summary>
    public LedStates Current { get; private set; } = LedStates.Stopped;

    /// <summary>One tick: reads the DCU's state and shows it, in the lit (<paramref name="blinkOn"/>) or dark half of a blink.</summary>
    public void Tick(bool blinkOn)
    {
        var now = Read();
        var fault = now.Fault();
        if (fault != _fault)
        {
            if (fault is not null) logger.LogWarning("Fault LED on: {Fault}", fault);
            else logger.LogInformation("Fault LED off: {Fault} no more", _fault);
            _fault = fault;
        }
        Current = LedStates.From(now);
        Show(Current, blinkOn);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Status LEDs on {Leds}", output.Name);
        using var timer = new PeriodicTimer(BlinkHalfPeriod, time);
        var blinkOn = true;
        try
        {
            do
            {
                Tick(blinkOn);
                blinkOn = !blinkOn;
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Current = LedStates.Stopped;
            _shown.Clear(); // written whatever was shown: dark is what a stopped DCU must show
            Show(Current, blinkOn: false);
        }
    }

    private StatusSnapshot Read()
    {
        try
        {
            var s = snapshot();
            _snapshotFailing = false;
            return s;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in reading the state must not take the DCU down through an optional LED: show it as a problem.
            if (!_snapshotFailing) logger.LogError(ex, "Cannot read the DCU's state for the status LEDs");
            _snapshotFailing = true;
            return new StatusSnapshot("the DCU's state cannot be read", false, false, []);
        }
    }

    private void Show(LedStates states, bool blinkOn)
    {
        foreach (var led in All)
        {
            var lit = states.IsLit(led, blinkOn);
            if (_shown.TryGetValue(led, out var shown) && shown == lit) continue;
            try
            {
                output.Set(led, lit);
                _shown[led] = lit;
                if (_writeFailing) logger.LogInformation("Status LEDs on {Leds} writable again", output.Name);
                _writeFailing = false;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                if (!_writeFailing) logger.LogWarning("Cannot set the {Led} LED on {Leds}: {Error}", led, output.Name, ex.Message);
                _writeFailing = true;
            }
        }
    }
}
