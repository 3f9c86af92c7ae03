using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// Samples the enclosure's tamper input and raises tamper / tamper_cleared once it has read the
/// new state <c>debounce</c> times in a row (switch bounce and a brush against the lid do not
/// flood the DCP). Tampered already at start is reported. A read error is logged once per run of
/// errors and sampling goes on.
/// </summary>
public sealed class TamperWatcher(ITamperInput input, IOutboxWriter outbox, TimeSpan pollInterval, int debounce, TimeProvider time, ILogger logger)
{
    private bool _active;
    private int _streak;
    private bool _failing;

    /// <summary>One sample: the event when the debounced state changed, else null.</summary>
    public MeterEvent? Sample()
    {
        bool now;
        try
        {
            now = input.IsActive();
            if (_failing) logger.LogInformation("Tamper input {Input} readable again", input.Name);
            _failing = false;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            if (!_failing) logger.LogWarning("Cannot read the tamper input {Input}: {Error}", input.Name, ex.Message);
            _failing = true;
            return null;
        }
        if (now == _active) { _streak = 0; return null; }
        if (++_streak < debounce) return null;
        _streak = 0;
        _active = now;
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_active) logger.LogWarning("Tamper: {Input} is active (enclosure opened?)", input.Name);
        return _active
            ? new MeterEvent(null, EventKinds.Tamper, ms, $"tamper input {input.Name} active: the enclosure was opened")
            : new MeterEvent(null, EventKinds.TamperCleared, ms, $"tamper input {input.Name} inactive again");
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval, time);
        try
        {
            do
            {
                if (Sample() is { } e) await outbox.AppendAsync(e, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
