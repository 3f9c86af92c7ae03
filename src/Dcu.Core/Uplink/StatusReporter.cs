using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Uplink;

/// <summary>
/// Publishes the retained status on <c>dcu/{id}/status</c> once connected at start and then every
/// heartbeat: state "online", version, uptime, outbox depth per lane, oldest unsent age, readings/s,
/// evicted count, the uplink's link type and signal, and bus error counters from a pluggable source (see docs/mqtt-contract.md).
/// Run one instance with <see cref="RunAsync"/>; it returns when the token is cancelled.
/// </summary>
public sealed class StatusReporter
{
    private readonly IUplink _uplink;
    private readonly Topics _topics;
    private readonly IOutboxReader _outbox;
    private readonly Func<PublishStats>? _publishStats;
    private readonly Func<IReadOnlyDictionary<string, long>>? _busErrors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TimeSpan _interval;
    private PeriodicTimer? _timer;
    private readonly Func<Dcu.Core.Events.QualitySnapshot>? _quality;
    private readonly Func<StatusReporterLink?>? _link;
    private readonly ILinkSignal? _signal;
    private readonly string _version;
    private readonly long _started;

    /// <param name="publishStats">Usually <c>publisher.GetStats</c>; null reports 0 readings/s.</param>
    /// <param name="busErrors">Error counters per bus (e.g. "rs485-1" → CRC + timeout errors); null omits them.</param>
    public StatusReporter(IUplink uplink, Topics topics, IOutboxReader outbox, Func<PublishStats>? publishStats = null,
        Func<IReadOnlyDictionary<string, long>>? busErrors = null, StatusReporterOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<StatusReporter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(uplink);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(outbox);
        options ??= new StatusReporterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HeartbeatInterval, TimeSpan.Zero);
        _uplink = uplink;
        _topics = topics;
        _outbox = outbox;
        _publishStats = publishStats;
        _busErrors = busErrors;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _interval = options.HeartbeatInterval;
        _quality = options.Quality;
        _link = options.Link;
        _signal = options.Signal;
        _version = options.Version
            ?? typeof(StatusReporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "unknown";
        _started = _time.GetTimestamp();
    }

    /// <summary>The heartbeat period; setting it takes effect from the next tick (config.set applies it live).</summary>
    public TimeSpan HeartbeatInterval
    {
        get => _interval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _interval = value;
            if (Volatile.Read(ref _timer) is { } timer) timer.Period = value;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _time);
            Volatile.Write(ref _timer, timer);
            if (timer.Period != _interval) timer.Period = _interval; // set while the timer was being created
            do
            {
                await _uplink.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
                var ok = await _uplink.PublishAsync(new UplinkMessage(_topics.Status, BuildStatus(), Retain: true), cancellationToken).ConfigureAwait(false);
                if (!ok) _logger.LogWarning("Status publish was not acknowledged");
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The status payload as of now.</summary>
    public byte[] BuildStatus()
    {
        var outbox = _outbox.GetStats();
        var publish = _publishStats?.Invoke();
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("state", "online");
            w.WriteString("dcu", _topics.DcuId);
            w.WriteString("version", _version);
            w.WriteNumber("ts", _time.GetUtcNow().ToUnixTimeMilliseconds());
            w.WriteNumber("uptimeS", (long)_time.GetElapsedTime(_started).TotalSeconds);
            w.WriteStartObject("outbox");
            w.WriteNumber("readings", outbox.ReadingsDepth);
            w.WriteNumber("events", outbox.EventsDepth);
            if (outbox.OldestUnsentAge is { } age) w.WriteNumber("oldestAgeS", (long)age.TotalSeconds);
            else w.WriteNull("oldestAgeS");
            w.WriteNumber("evicted", outbox.EvictedTotal);
            w.WriteEndObject();
            w.WriteStartObject("uplink");
            w.WriteNumber("readingsPerS", Math.Round(publish?.ReadingsPerSecond ?? 0, 1));
            w.WriteNumber("batches", publish?.Batches ?? 0);
            w.WriteNumber("failed", publish?.FailedPublishes ?? 0);
            w.WriteEndObject();
            if (_link is not null) WriteLink(w);
            if (_quality?.Invoke() is { } q)
            {
                // Intervals whose own interval has ended, today (UTC).
                w.WriteStartObject("quality");
                w.WriteString("date", q.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteNumber("expected", q.Expected);
                w.WriteNumber("collected", q.Collected);
                w.WriteNumber("onTime", q.OnTime);
                w.WriteNumber("siteRate", Math.Round(q.SiteRate, 4));
                w.WriteEndObject();
            }
            if (_busErrors?.Invoke() is { } bus)
            {
                w.WriteStartObject("busErrors");
                foreach (var (name, count) in bus) w.WriteNumber(name, count);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteLink(Utf8JsonWriter w)
    {
        // A failing probe must not cost the heartbeat: the link is then "unknown".
        StatusReporterLink? link;
        LinkSignal? signal;
        try { link = _link!(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            _logger.LogDebug("Uplink link type unknown: {Error}", ex.Message);
            link = null;
        }
        try { signal = _signal?.Read(); }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException)
        {
            _logger.LogDebug("Uplink signal unknown: {Error}", ex.Message);
            signal = null;
        }
        w.WriteStartObject("link");
        w.WriteString("type", link?.Type ?? "unknown");
        if (link?.Interface is { } iface) w.WriteString("interface", iface);
        else w.WriteNull("interface");
        if (signal?.Dbm is { } dbm) w.WriteNumber("signalDbm", dbm);
        else w.WriteNull("signalDbm");
        if (signal?.QualityPercent is { } quality) w.WriteNumber("signalQuality", quality);
        else w.WriteNull("signalQuality");
        w.WriteEndObject();
    }
}
