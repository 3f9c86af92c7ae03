using System.Globalization;
using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// "time.sync" (destructive: it sets meter clocks): broadcasts the DCU's time on every bus whose
/// protocol can (DL/T 645 08H, directly or through the PLC module), then reads every meter clock back
/// and applies the <see cref="TimeSyncOptions"/> bands: an offset below IgnoreBelow is left alone, one
/// below CorrectBelow is written (14H) and read back, a larger one raises a "meter_clock_offset" event
/// and is not touched. Args: optional <c>"meters"</c> (default: every meter of the archive).
/// Refused while the DCU's own clock is not plausible: it would drag every meter with it.
/// </summary>
public sealed class TimeSyncHandler : ICommandHandler
{
    public const string CommandName = "time.sync";

    /// <summary>Event kind raised for a meter clock beyond <see cref="TimeSyncOptions.CorrectBelow"/>.</summary>
    public const string ClockOffsetEventKind = "meter_clock_offset";

    private readonly IMeterOperations _operations;
    private readonly Func<IReadOnlyCollection<Meter>> _archive;
    private readonly IOutboxWriter _outbox;
    private readonly TimeSyncOptions _options;
    private readonly TimeProvider _time;
    private readonly IClockStatus? _clockStatus;
    private readonly ILogger _logger;

    public TimeSyncHandler(IMeterOperations operations, Func<IReadOnlyCollection<Meter>> archive, IOutboxWriter outbox, TimeSyncOptions options,
        TimeProvider time, IClockStatus? clockStatus = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _operations = operations;
        _archive = archive;
        _outbox = outbox;
        _options = options;
        _time = time;
        _clockStatus = clockStatus;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => CommandName;

    public bool Destructive => true;

    public async Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Args.RejectUnknown("meters");
        var meters = RelayHandler.ResolveMeters(request.Args, "meters", _operations, 100_000, required: false) ?? [.. _archive()];
        if (_clockStatus is { IsValid: false })
            throw new CommandRejectedException("the DCU's own clock is not valid; set it first (time.set); no meter was touched");

        var broadcasts = await _operations.RunOnEachBusAsync<(string Bus, string Result)>(async (bus, control, ct) =>
        {
            if (control is null) return (bus, "unsupported");
            try
            {
                return (bus, await control.BroadcastTimeAsync(_time.GetUtcNow(), ct).ConfigureAwait(false) ? "sent" : "unsupported");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _logger.LogWarning("time.sync: broadcast on bus {Bus} failed: {Reason}", bus, RelayHandler.Describe(ex));
                return (bus, "failed");
            }
        }, cancellationToken).ConfigureAwait(false);

        var results = new MeterResult[meters.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, meters.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await CheckAsync(meters[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        foreach (var r in results.Where(r => r.Action == "reported"))
        {
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"meter clock {Math.Abs(r.OffsetS!.Value):0} s {(r.OffsetS > 0 ? "ahead of" : "behind")} the DCU, beyond {_options.CorrectBelow.TotalSeconds:0} s: not corrected automatically");
            await _outbox.AppendAsync(new MeterEvent(new MeterId(r.Meter), ClockOffsetEventKind, _time.GetUtcNow().ToUnixTimeMilliseconds(), detail), cancellationToken).ConfigureAwait(false);
        }

        var data = new JsonObject
        {
            ["buses"] = new JsonArray([.. broadcasts.Select(b => (JsonNode)new JsonObject { ["bus"] = b.Bus, ["broadcast"] = b.Result })]),
            ["meters"] = new JsonArray([.. results.Select(r => (JsonNode)r.ToJson())]),
            ["ignoreBelowS"] = _options.IgnoreBelow.TotalSeconds,
            ["correctBelowS"] = _options.CorrectBelow.TotalSeconds,
        };
        var failed = results.Where(r => r.Action == "failed").ToList();
        if (failed.Count == 0) return CommandOutcome.Done(data);
        throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
            $"{failed.Count} of {results.Length} meter clocks could not be checked or corrected: {string.Join("; ", failed.Take(10).Select(r => $"{r.Meter} {r.Reason}"))}{(failed.Count > 10 ? "; ..." : "")}"), data);
    }

    private async Task<MeterResult> CheckAsync(Meter meter, CancellationToken cancellationToken)
    {
        try
        {
            return await _operations.RunOnMeterAsync(meter.Id, async (m, control, ct) =>
            {
                if (control is null || !control.SupportsClock(m)) return new MeterResult(m.Id.Value, "unsupported", null, null, null);
                var offset = await OffsetAsync(control, m, ct).ConfigureAwait(false);
                var size = offset.Duration();
                if (size < _options.IgnoreBelow) return new MeterResult(m.Id.Value, "none", TimeText.Seconds(offset), null, null);
                if (size >= _options.CorrectBelow)
                {
                    _logger.LogWarning("time.sync: meter {Meter} clock is {OffsetS:0} s off, beyond the correction band; reported, not corrected", m.Id, offset.TotalSeconds);
                    return new MeterResult(m.Id.Value, "reported", TimeText.Seconds(offset), null, null);
                }

                await control.SetClockAsync(m, _time.GetUtcNow(), ct).ConfigureAwait(false);
                var after = await OffsetAsync(control, m, ct).ConfigureAwait(false);
                var ok = after.Duration() <= _options.CorrectedWithin;
                _logger.LogInformation("time.sync: meter {Meter} clock {OffsetS:0} s off, corrected; read back {AfterS:0.0} s", m.Id, offset.TotalSeconds, after.TotalSeconds);
                return new MeterResult(m.Id.Value, ok ? "corrected" : "failed", TimeText.Seconds(offset), TimeText.Seconds(after),
                    ok ? null : string.Create(CultureInfo.InvariantCulture, $"read back {after.TotalSeconds:0} s off after the correction"));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.LogWarning("time.sync: meter {Meter} failed: {Reason}", meter.Id, RelayHandler.Describe(ex));
            return new MeterResult(meter.Id.Value, "failed", null, null, RelayHandler.Describe(ex));
        }
    }

    /// <summary>Meter clock minus DCU clock, the DCU read right after the meter answered (the meter's clock has 1 s resolution).</summary>
    private async Task<TimeSpan> OffsetAsync(IMeterControl control, Meter meter, CancellationToken cancellationToken)
    {
        var meterUtc = await control.ReadClockAsync(meter, cancellationToken).ConfigureAwait(false);
        return meterUtc - _time.GetUtcNow();
    }

    private sealed record MeterResult(string Meter, string Action, double? OffsetS, double? OffsetAfterS, string? Reason)
    {
        public JsonObject ToJson()
        {
            var o = new JsonObject { ["meter"] = Meter, ["action"] = Action };
            if (OffsetS is { } s) o["offsetS"] = s;
            if (OffsetAfterS is { } a) o["offsetAfterS"] = a;
            if (Reason is not null) o["reason"] = Reason;
            return o;
        }
    }
}
