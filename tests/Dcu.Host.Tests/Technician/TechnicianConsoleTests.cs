using System.IO.Pipelines;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Model;
using Dcu.Host.Technician;
using Dcu.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Technician;

/// <summary>Console sessions over in-memory streams: login, the commands through the DCU's own handlers, errors, idle logout.</summary>
public sealed class TechnicianConsoleTests : IAsyncDisposable
{
    private const string Password = "Field-Tech 42";
    private static readonly string Hash = ConsolePassword.Create(Password, 1000);

    private readonly Pipe _toDcu = new();
    private readonly Pipe _fromDcu = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly RecordingOutbox _events = new();
    private readonly RecordingLogger _log = new();
    private Task? _console;
    private TerminalProbe? _terminal;

    private TerminalProbe Start(ConsoleCommands commands, TimeProvider time, ConsoleOptions? options = null, string dcuId = ConsoleRuntimeRig.DcuId)
    {
        options ??= new ConsoleOptions { Enabled = true, Port = "/dev/ttyTEST", PasswordHash = Hash };
        var link = new StreamByteLink("test", _toDcu.Reader.AsStream(), _fromDcu.Writer.AsStream());
        var guard = new ConsoleLoginGuard(options, _events, time, _log);
        var console = new Dcu.Host.Technician.TechnicianConsole(options, dcuId, () => link, echo: true, guard, commands, time, _log);
        _console = console.RunAsync(_stop.Token);
        _terminal = new TerminalProbe(
            (buffer, ct) => _fromDcu.Reader.AsStream().ReadAsync(buffer, ct),
            async (bytes, ct) => await _toDcu.Writer.WriteAsync(bytes, ct));
        return _terminal;
    }

    private static async Task LogInAsync(TerminalProbe t, string password = Password)
    {
        await t.ExpectAsync("login: ");
        await t.LineAsync("technician");
        await t.ExpectAsync("password: ");
        await t.LineAsync(password);
    }

    /// <summary>Runs a command line and returns what it printed up to the next prompt.</summary>
    private static async Task<string> RunAsync(TerminalProbe t, string line)
    {
        await t.LineAsync(line);
        return await t.ExpectAsync($"{ConsoleRuntimeRig.DcuId}> ", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_session_against_the_DCU_handlers_logs_in_runs_the_commands_and_logs_out()
    {
        await using var rig = await ConsoleRuntimeRig.StartAsync(Hash);
        var t = Start(rig.Runtime.ConsoleCommands!, TimeProvider.System);

        await t.ExpectAsync("DCU console-test technician console");
        await LogInAsync(t, "not the password");
        Assert.Equal("\r\nlogin incorrect\r\n", await t.ExpectAsync("login incorrect\r\n"));
        await LogInAsync(t);
        await t.ExpectAsync("logged in as technician; type help for the commands");
        await t.ExpectAsync("console-test> ");

        var help = await RunAsync(t, "help");
        foreach (var word in (string[])["status", "meters", "read <meterId> [obis ...]", "tasks", "time", "config", "help", "logout | exit"])
            Assert.Contains(word, help, StringComparison.Ordinal);
        Assert.DoesNotContain("relay", help, StringComparison.Ordinal);

        var meters = await RunAsync(t, "meters");
        Assert.StartsWith("meters\r\nok\r\n{", meters, StringComparison.Ordinal); // the echo, then the outcome
        Assert.Contains("\"id\": \"m1\"", meters, StringComparison.Ordinal);
        Assert.Contains("\"id\": \"m2\"", meters, StringComparison.Ordinal);

        Assert.Contains("error: args.meters[0] 'nosuch' is not in the archive\r\n", await RunAsync(t, "read nosuch"), StringComparison.Ordinal);
        Assert.Contains("error: args.quantities[0] 'volts' is not an OBIS code", await RunAsync(t, "read m1 volts"), StringComparison.Ordinal);
        Assert.Contains("error: usage: read <meterId> [obis ...]", await RunAsync(t, "read"), StringComparison.Ordinal);

        // A live read: the simulated SDM630 answers over its (simulated) RS485 line.
        var read = await RunAsync(t, "read m1 1.0.32.7.0 1.0.1.8.0");
        Assert.Contains("ok\r\n", read, StringComparison.Ordinal);
        Assert.Contains("\"q\": \"1.0.32.7.0\"", read, StringComparison.Ordinal);
        Assert.Contains("\"q\": \"1.0.1.8.0\"", read, StringComparison.Ordinal);
        Assert.Contains("\"u\": \"kWh\"", read, StringComparison.Ordinal);

        var status = await RunAsync(t, "status");
        Assert.Contains("\"connected\": false", status, StringComparison.Ordinal);
        foreach (var key in (string[])["\"results\":", "\"events\":", "\"billing\":", "\"readings\":", "\"evicted\":", "\"oldestUnsentAgeS\":", "\"busErrors\":", "\"quality\":", "\"failedPublishes\":"])
            Assert.Contains(key, status, StringComparison.Ordinal);

        Assert.Contains("\"instant\"", await RunAsync(t, "tasks"), StringComparison.Ordinal);
        Assert.Contains("\"utc\":", await RunAsync(t, "time"), StringComparison.Ordinal);
        var config = await RunAsync(t, "config");
        Assert.Contains("\"PasswordHash\": \"***\"", config, StringComparison.Ordinal);
        Assert.DoesNotContain(Hash, config, StringComparison.Ordinal);

        Assert.Contains("error: usage: meters\r\n", await RunAsync(t, "meters m1"), StringComparison.Ordinal);
        Assert.Contains("error: unknown command 'frobnicate'; type help for the list", await RunAsync(t, "frobnicate"), StringComparison.Ordinal);
        Assert.Contains("error: unknown command 'relay.disconnect'", await RunAsync(t, "relay.disconnect m1"), StringComparison.Ordinal);
        Assert.Contains("error: line longer than 256 characters; discarded", await RunAsync(t, new string('x', 300)), StringComparison.Ordinal);
        Assert.EndsWith("\r\nconsole-test> ", await RunAsync(t, ""), StringComparison.Ordinal);

        await t.LineAsync("logout");
        await t.ExpectAsync("logged out\r\n");
        await t.ExpectAsync("login: ");

        Assert.DoesNotContain(Password, t.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", t.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, _log.All, StringComparison.Ordinal);
        var failed = Assert.Single(_events.Events);
        Assert.Equal(EventKinds.ConsoleLoginFailed, failed.Kind);
    }

    [Fact]
    public async Task Three_wrong_passwords_lock_the_console_and_the_next_attempt_says_how_long()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var t = Start(new ConsoleCommands([new TimeGetHandler(time)], TimeSpan.FromMinutes(1), time, _log), time);

        for (var i = 1; i <= 3; i++)
        {
            await LogInAsync(t, $"guess-{i}");
            await t.ExpectAsync("login incorrect");
        }
        Assert.Contains("console locked for 5 min", t.Text, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromMinutes(1));
        await LogInAsync(t);
        await t.ExpectAsync("console locked after 3 failed logins; try again in 4 min\r\n");
        Assert.Equal(3, _events.Events.Count);

        time.Advance(TimeSpan.FromMinutes(4));
        await LogInAsync(t);
        await t.ExpectAsync("logged in as technician");
    }

    [Fact]
    public async Task An_idle_session_is_logged_out_and_the_login_prompt_comes_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var t = Start(new ConsoleCommands([new TimeGetHandler(time)], TimeSpan.FromMinutes(1), time, _log), time);
        await LogInAsync(t);
        await t.ExpectAsync("console-test> ");
        Assert.Contains("\"unixMs\"", await RunAsync(t, "time"), StringComparison.Ordinal);
        Assert.Contains("Console command console-1 (time.get) by technician", _log.All, StringComparison.Ordinal); // the audit line

        // The idle timer starts once the console waits for input; advancing by whole timeouts until it fires does not race that.
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMinutes(10));
            return t.Text.Contains("logged out: idle for 10 min", StringComparison.Ordinal);
        }, "the idle logout\n" + t.Text);
        await t.ExpectAsync("logged out: idle for 10 min\r\nlogin: ");
    }

    [Fact]
    public async Task A_console_port_that_cannot_be_opened_is_logged_once_and_the_loop_runs_on_until_stop()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new ConsoleOptions { Enabled = true, Port = "/dev/dcu-no-such-console", PasswordHash = Hash };
        var (open, echo) = ConsoleLinks.For(options, time, _log);
        var console = new Dcu.Host.Technician.TechnicianConsole(options, "x", open, echo, new ConsoleLoginGuard(options, _events, time, _log),
            new ConsoleCommands([], TimeSpan.FromMinutes(1), time, _log), time, _log);

        var run = console.RunAsync(_stop.Token);
        await Eventually.TrueAsync(() => _log.Entries.Any(e => e.Level == LogLevel.Error), "the error about the port");
        for (var i = 0; i < 3; i++) time.Advance(Dcu.Host.Technician.TechnicianConsole.ReopenInterval); // tried again, quietly
        Assert.False(run.IsCompleted);
        Assert.Contains("cannot use /dev/dcu-no-such-console", Assert.Single(_log.Entries, e => e.Level == LogLevel.Error).Text, StringComparison.Ordinal);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_console is not null) await _console.WaitAsync(TimeSpan.FromSeconds(10));
        if (_terminal is not null) await _terminal.DisposeAsync();
        _stop.Dispose();
    }
}
