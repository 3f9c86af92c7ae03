using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Dcu.Drivers.Board;
using Dcu.Drivers.Mqtt;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// The DCU's own event sources (section DcuEvents), built and run together so the runtime wires
/// them in a few lines: the run marker (power_restored), the uplink (uplink_down/up), the clock
/// (clock_step) and the optional tamper input (tamper/tamper_cleared). All write to the outbox.
/// </summary>
public sealed class DcuEventWatchers : IDisposable
{
    private readonly DcuEventsOptions _options;
    private readonly IOutboxWriter _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly GpioTamperInput? _gpio;

    /// <summary>Subscribe <see cref="Uplink"/> to the link before it starts, so its first connect is seen.</summary>
    public DcuEventWatchers(DcuSettings settings, IOutboxWriter outbox, TimeProvider time, ILoggerFactory loggers, ITamperInput? tamper = null)
    {
        _options = settings.DcuEvents;
        _outbox = outbox;
        _time = time;
        _log = loggers.CreateLogger("Dcu.Events");
        Marker = new PowerLossMarker(settings.Dcu.DataDirectory, time, _log);
        Uplink = new UplinkWatcher(outbox, _options.UplinkMinOutage, time, _log);
        Clock = new ClockStepWatcher(outbox, _options.ClockStepThreshold, time, _log);
        if (tamper is null && _options.TamperPin is { } pin)
        {
            try
            {
                tamper = _gpio = GpioTamperInput.Open(_options.TamperGpioChip, pin, _options.TamperActiveLow);
                _log.LogInformation("Tamper input on {Input}", tamper.Name);
            }
            catch (Exception ex)
            {
                // Optional hardware: the DCU does its job without it, and says why there is no tamper detection.
                _log.LogWarning("DcuEvents:TamperPin {Pin}: no tamper input ({Error}); the DCU runs without tamper detection", pin, ex.Message);
            }
        }
        if (tamper is not null) Tamper = new TamperWatcher(tamper, outbox, _options.TamperPollInterval, _options.TamperDebounce, time, _log);
    }

    public PowerLossMarker Marker { get; }

    public UplinkWatcher Uplink { get; }

    public ClockStepWatcher Clock { get; }

    public TamperWatcher? Tamper { get; }

    public void Subscribe(MqttUplink uplink) => uplink.ConnectionChanged += Uplink.OnConnectionChanged;

    /// <summary>Reads the previous run's marker (power_restored into the outbox when it did not stop cleanly) and writes this run's.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Marker.Start() is { } restored) await _outbox.AppendAsync(restored, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Run marker {Path} unusable: {Error}; power cuts are not reported", Marker.Path, ex.Message);
        }
    }

    /// <summary>The watchers' loops, for the runtime to start; they end when <paramref name="stop"/> is cancelled.</summary>
    public IEnumerable<Func<Task>> Loops(CancellationToken stop)
    {
        yield return () => Marker.RunAsync(_options.AliveInterval, stop);
        yield return () => Uplink.RunAsync(stop);
        yield return () => Clock.RunAsync(_options.ClockCheckInterval, stop);
        if (Tamper is { } tamper) yield return () => tamper.RunAsync(stop);
    }

    /// <summary>A clean stop: removes the run marker.</summary>
    public void StopCleanly() => Marker.StopCleanly();

    public void Dispose() => _gpio?.Dispose();
}
