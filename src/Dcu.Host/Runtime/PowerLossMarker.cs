using System.Globalization;
using System.Text;
using Dcu.Core.Model;
using Dcu.Core.Persistence;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// Tells a clean stop from a power cut: a marker file in the data directory is written at start,
/// its "last alive" time renewed every <c>AliveInterval</c>, and removed at a clean stop. A marker
/// found at start means the previous run ended without stopping (power cut, crash, kill -9): that is
/// a power_restored event saying roughly when the DCU went and for how long (to within the alive
/// interval), and whether the host rebooted since (Linux boot id).
/// </summary>
public sealed class PowerLossMarker
{
    public const string FileName = "dcu.running";
    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";

    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _bootIdPath;
    private long _startedMs;
    private string? _bootId;
    private bool _started;

    public PowerLossMarker(string dataDirectory, TimeProvider time, ILogger logger, string? bootIdPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        _time = time;
        _log = logger;
        _bootIdPath = bootIdPath ?? BootIdPath;
    }

    public string Path { get; }

    /// <summary>Reads what the previous run left and writes this run's marker; returns power_restored when the previous run did not stop cleanly.</summary>
    public MeterEvent? Start()
    {
        var now = _time.GetUtcNow();
        _startedMs = now.ToUnixTimeMilliseconds();
        _bootId = ReadBootId();
        MeterEvent? restored = null;
        if (File.Exists(Path))
        {
            var (lastAlive, bootId) = ReadMarker();
            var rebooted = bootId is null || _bootId is null ? "" : bootId == _bootId ? "; the host did not reboot (the DCU process was killed or crashed)" : "; the host rebooted";
            string detail;
            if (lastAlive is { } alive && alive <= now)
                detail = $"the DCU did not stop cleanly: last alive {Durations.Utc(alive)}, down about {Durations.Format(now - alive)}{rebooted}";
            else
                detail = $"the DCU did not stop cleanly; when it went is unknown (last alive {(lastAlive is { } a ? Durations.Utc(a) + ", after now: the clock was changed" : "unreadable")}){rebooted}";
            _log.LogWarning("Power restored: {Detail}", detail);
            restored = new MeterEvent(null, EventKinds.PowerRestored, _startedMs, detail);
        }
        Touch();
        _started = true;
        return restored;
    }

    /// <summary>Renews the "last alive" time, replacing the marker durably (<see cref="DurableFile"/>), so a power cut leaves the old or the new one.</summary>
    public void Touch()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"v1 {_startedMs} {_time.GetUtcNow().ToUnixTimeMilliseconds()} {_bootId ?? "-"}\n");
        DurableFile.WriteAllBytes(Path, Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Renews the marker every <paramref name="interval"/> until cancelled; a failing write is logged and tried again next time.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try { Touch(); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _log.LogWarning("Cannot renew the run marker {Path}: {Error}", Path, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A clean stop: the next start reports no power_restored.</summary>
    public void StopCleanly()
    {
        // Not started (start-up failed first): a marker there is the previous run's, and still news for the next start.
        if (!_started) return;
        try { File.Delete(Path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Cannot remove the run marker {Path}: {Error}; the next start will report power_restored", Path, ex.Message);
        }
    }

    private (DateTimeOffset? LastAlive, string? BootId) ReadMarker()
    {
        try
        {
            var parts = File.ReadAllText(Path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts is ["v1", _, var alive, var boot] && long.TryParse(alive, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                return (DateTimeOffset.FromUnixTimeMilliseconds(ms), boot == "-" ? null : boot);
            // Torn or foreign content: the file's own time is the next best guess.
            return (new DateTimeOffset(File.GetLastWriteTimeUtc(Path), TimeSpan.Zero), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Cannot read the run marker {Path}: {Error}", Path, ex.Message);
            return (null, null);
        }
    }

    private string? ReadBootId()
    {
        try { return File.Exists(_bootIdPath) ? File.ReadAllText(_bootIdPath).Trim() : null; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }
}
