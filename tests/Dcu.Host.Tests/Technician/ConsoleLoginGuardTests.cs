using Dcu.Core.Model;
using Dcu.Host.Technician;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Technician;

public sealed class ConsoleLoginGuardTests
{
    private const string Password = "Tr0ub4dor&3";
    // Few iterations: the tests are about the guard, not the hash's cost.
    private static readonly string Hash = ConsolePassword.Create(Password, 1000);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly RecordingOutbox _outbox = new();
    private readonly RecordingLogger _log = new();

    private ConsoleLoginGuard Guard(string? hash = null) => new(new ConsoleOptions
    {
        Enabled = true,
        PasswordHash = hash ?? Hash,
        MaxFailedLogins = 3,
        Lockout = TimeSpan.FromMinutes(5),
    }, _outbox, _time, _log);

    [Fact]
    public async Task The_right_user_and_password_log_in_without_an_event()
    {
        var result = await Guard().TryLoginAsync("technician", Password, CancellationToken.None);

        Assert.Equal(ConsoleLoginStatus.Success, result.Status);
        Assert.Empty(_outbox.Events);
    }

    [Fact]
    public async Task Three_failures_in_a_row_lock_the_console_each_failure_an_event_without_the_password()
    {
        var guard = Guard();

        var first = await guard.TryLoginAsync("technician", "wrong-1", CancellationToken.None);
        var second = await guard.TryLoginAsync("root", Password, CancellationToken.None); // wrong user counts too
        var third = await guard.TryLoginAsync("technician", "wrong-3", CancellationToken.None);

        Assert.Equal("login incorrect", first.Message);
        Assert.Equal(ConsoleLoginStatus.Failed, second.Status);
        Assert.Equal(ConsoleLoginStatus.Failed, third.Status);
        Assert.Equal("login incorrect; console locked for 5 min", third.Message);
        Assert.Equal(TimeSpan.FromMinutes(5), guard.LockedFor());

        var events = _outbox.Events.ToArray();
        Assert.Equal(3, events.Length);
        Assert.All(events, e =>
        {
            Assert.Equal(EventKinds.ConsoleLoginFailed, e.Kind);
            Assert.Null(e.Meter);
            Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), e.UnixMs);
            Assert.DoesNotContain("wrong-", e.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, e.Detail, StringComparison.Ordinal);
        });
        Assert.Equal("console login failed for user 'technician' (1 failed in a row); console not locked", events[0].Detail);
        Assert.Equal("console login failed for user 'root' (2 failed in a row); console not locked", events[1].Detail);
        Assert.Equal("console login failed for user 'technician' (3 failed in a row); console locked for 5 min", events[2].Detail);
        Assert.Equal(3, _log.Entries.Count(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.DoesNotContain("wrong-", _log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_locked_even_the_right_password_is_refused_with_the_time_left_and_then_it_is_accepted()
    {
        var guard = Guard();
        for (var i = 0; i < 3; i++) await guard.TryLoginAsync("technician", "nope", CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(90));
        var locked = await guard.TryLoginAsync("technician", Password, CancellationToken.None);
        Assert.Equal(ConsoleLoginStatus.Locked, locked.Status);
        Assert.Equal(TimeSpan.FromSeconds(210), locked.Remaining);
        Assert.Equal("console locked after 3 failed logins; try again in 3 min 30 s", locked.Message);
        Assert.Equal(3, _outbox.Events.Count); // refusals while locked are logged, not sent upstream

        _time.Advance(TimeSpan.FromSeconds(209.5));
        Assert.Contains("try again in 1 s", (await guard.TryLoginAsync("technician", Password, CancellationToken.None)).Message, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(guard.LockedFor());
        Assert.Equal(ConsoleLoginStatus.Success, (await guard.TryLoginAsync("technician", Password, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task While_locked_the_password_is_not_even_checked()
    {
        // A costly hash (a noticeable fraction of a second per check); one failure locks, then 20 refusals must cost nothing.
        var slow = ConsolePassword.Format(2_000_000, "saltsalt"u8, new byte[32]);
        var guard = new ConsoleLoginGuard(new ConsoleOptions { PasswordHash = slow, MaxFailedLogins = 1, Lockout = TimeSpan.FromMinutes(5) }, _outbox, _time, _log);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await guard.TryLoginAsync("technician", "x", CancellationToken.None);
        var oneCheck = watch.Elapsed;

        watch.Restart();
        for (var i = 0; i < 20; i++)
            Assert.Equal(ConsoleLoginStatus.Locked, (await guard.TryLoginAsync("technician", "x", CancellationToken.None)).Status);
        Assert.True(watch.Elapsed < oneCheck / 2, $"20 refusals took {watch.Elapsed}, one check {oneCheck}: the password was checked while locked");
    }

    [Fact]
    public async Task A_success_resets_the_count()
    {
        var guard = Guard();
        await guard.TryLoginAsync("technician", "a", CancellationToken.None);
        await guard.TryLoginAsync("technician", "b", CancellationToken.None);
        Assert.Equal(2, guard.Failures);

        Assert.Equal(ConsoleLoginStatus.Success, (await guard.TryLoginAsync("technician", Password, CancellationToken.None)).Status);
        Assert.Equal(0, guard.Failures);

        await guard.TryLoginAsync("technician", "c", CancellationToken.None);
        await guard.TryLoginAsync("technician", "d", CancellationToken.None);
        Assert.Null(guard.LockedFor());
        Assert.Contains("(2 failed in a row); console not locked", _outbox.Events.Last().Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_user_tried_is_shown_printable_and_cut_short()
    {
        await Guard().TryLoginAsync("evil\x1b[2J" + new string('u', 40), "x", CancellationToken.None);
        var detail = Assert.Single(_outbox.Events).Detail;
        Assert.Contains("'evil?[2J" + new string('u', 24) + "...'", detail, StringComparison.Ordinal);
    }
}
