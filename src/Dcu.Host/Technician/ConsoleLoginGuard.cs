using System.Globalization;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Technician;

/// <summary>
/// Checks console logins against the one configured user and password hash, and locks the console for
/// <see cref="ConsoleOptions.Lockout"/> after <see cref="ConsoleOptions.MaxFailedLogins"/> failures in a row.
/// Every failure is logged and goes upstream as a <see cref="EventKinds.ConsoleLoginFailed"/> event naming the
/// user tried, the count and whether the console is now locked; never the password. While locked, attempts are
/// refused without hashing the password (no oracle, no CPU burnt) and only logged: someone leaning on the keys
/// must not fill the outbox. A success resets the count; so does the end of a lockout.
/// </summary>
public sealed class ConsoleLoginGuard
{
    private const int MaxUserShown = 32;

    private readonly ConsolePassword _password;
    private readonly ConsoleOptions _options;
    private readonly IOutboxWriter _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private int _failures;
    private long? _lockedAt;

    public ConsoleLoginGuard(ConsoleOptions options, IOutboxWriter events, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _password = ConsolePassword.Parse(options.PasswordHash ?? throw new ArgumentException("Console:PasswordHash is required", nameof(options)));
        _options = options;
        _events = events;
        _time = time;
        _logger = logger;
    }

    /// <summary>Failed logins in a row so far.</summary>
    public int Failures { get { lock (_lock) return _failures; } }

    /// <summary>How long the console stays locked, or null when it is not.</summary>
    public TimeSpan? LockedFor()
    {
        lock (_lock) return RemainingLocked();
    }

    public async Task<ConsoleLoginResult> TryLoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        var shown = Printable(user);
        lock (_lock)
        {
            if (RemainingLocked() is { } remaining)
            {
                _logger.LogWarning("Console login as {User} refused: locked for another {Remaining}", shown, Rounded(remaining));
                return new ConsoleLoginResult(ConsoleLoginStatus.Locked,
                    $"console locked after {_options.MaxFailedLogins} failed logins; try again in {Text(remaining)}", remaining);
            }
        }

        // The hash is computed even for a wrong user name, so the time taken does not tell which was wrong.
        var passwordOk = _password.Verify(password);
        var ok = passwordOk & string.Equals(user, _options.User, StringComparison.Ordinal);
        int failures;
        bool locked;
        lock (_lock)
        {
            if (ok)
            {
                _failures = 0;
                _logger.LogInformation("Console login as {User}", shown);
                return new ConsoleLoginResult(ConsoleLoginStatus.Success, "");
            }
            failures = ++_failures;
            locked = failures >= _options.MaxFailedLogins;
            if (locked) _lockedAt = _time.GetTimestamp();
        }

        var detail = string.Create(CultureInfo.InvariantCulture,
            $"console login failed for user '{shown}' ({failures} failed in a row); console {(locked ? $"locked for {Text(_options.Lockout)}" : "not locked")}");
        _logger.LogWarning("Security: console login failed for user {User} ({Failures} in a row, {Max} allowed); locked: {Locked}", shown, failures, _options.MaxFailedLogins, locked);
        try
        {
            await _events.AppendAsync(new MeterEvent(null, EventKinds.ConsoleLoginFailed, _time.GetUtcNow().ToUnixTimeMilliseconds(), detail), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not store the {Kind} event", EventKinds.ConsoleLoginFailed);
        }
        return locked
            ? new ConsoleLoginResult(ConsoleLoginStatus.Failed, $"login incorrect; console locked for {Text(_options.Lockout)}", _options.Lockout)
            : new ConsoleLoginResult(ConsoleLoginStatus.Failed, "login incorrect");
    }

    /// <summary>Under the lock: the lockout left, or null (and the count reset) once it has run out.</summary>
    private TimeSpan? RemainingLocked()
    {
        if (_lockedAt is not { } at) return null;
        var remaining = _options.Lockout - _time.GetElapsedTime(at);
        if (remaining > TimeSpan.Zero) return remaining;
        _lockedAt = null;
        _failures = 0;
        return null;
    }

    /// <summary>What a person reads: "4 min 30 s", "12 s" (rounded up, so it never says 0 s while locked).</summary>
    internal static string Text(TimeSpan t)
    {
        var total = Rounded(t);
        var s = (long)total.TotalSeconds;
        return s switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{s} s"),
            < 3600 => s % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{s / 60} min") : string.Create(CultureInfo.InvariantCulture, $"{s / 60} min {s % 60} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{s / 3600} h {s % 3600 / 60} min"),
        };
    }

    private static TimeSpan Rounded(TimeSpan t) => TimeSpan.FromSeconds(Math.Ceiling(t.TotalSeconds));

    /// <summary>The user name as it may appear in logs and events: printable ASCII, cut short.</summary>
    private static string Printable(string user)
    {
        var chars = user.Take(MaxUserShown).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray();
        return new string(chars) + (user.Length > MaxUserShown ? "..." : "");
    }
}
