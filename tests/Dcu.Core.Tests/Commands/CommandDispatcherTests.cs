using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcu.Core.Abstractions;
using Dcu.Core.Commands;
using Dcu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Commands;

public sealed class CommandDispatcherTests : IDisposable
{
    private const string Prefix = "dcu/d1/cmd/";
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1767225600000 - 60_000);
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingResultSink _sink = new();
    private readonly RecordingOutbox _outbox = new();
    private readonly List<IAsyncDisposable> _open = [];

    private long Expires => _time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000;

    private CommandDispatcher Create(CommandOptions? options = null, string ledger = "ledger.jsonl", params ICommandHandler[] handlers)
    {
        var l = CommandLedger.Open(_dir.File(ledger), (options ?? new()).LedgerCapacity, _time);
        var d = new CommandDispatcher(handlers, l, _sink, Prefix, options ?? new CommandOptions(), _outbox, _time);
        _open.Add(new Closer(d, l));
        return d;
    }

    private static Task Send(CommandDispatcher d, string name, string payload) =>
        d.HandleAsync(new UplinkMessage(Prefix + name, Encoding.UTF8.GetBytes(payload)), CancellationToken.None);

    private Task SendCmd(CommandDispatcher d, string name, string id, string? args = null) =>
        Send(d, name, $$"""{"id":"{{id}}","expires":{{Expires}}{{(args is null ? "" : ",\"args\":" + args)}}}""");

    private Task Results(int count) => Eventually.TrueAsync(() => _sink.Results.Count >= count, $"{count} results");

    [Fact]
    public async Task A_command_gets_one_done_result_with_its_data()
    {
        var d = Create(handlers: TestHandler.Echo());

        await SendCmd(d, "echo", "c-1");
        await Results(1);

        var r = _sink.Single("c-1");
        Assert.Equal("echo", r.GetProperty("cmd").GetString());
        Assert.Equal("done", r.GetProperty("status").GetString());
        Assert.Equal("c-1", r.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), r.GetProperty("ts").GetInt64());
        Assert.False(r.TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task Every_message_gets_exactly_one_result_even_garbage()
    {
        var echo = TestHandler.Echo();
        var d = Create(handlers: echo);
        string[] payloads =
        [
            "", "{not json", "[1]", "null", "\"x\"", "{}", """{"id":7}""", """{"id":"g-1"}""", """{"id":"g-2","expires":"soon"}""",
            """{"id":"g-3","expires":1,"x":1}""", "\u00ff\u00fe", """{"id":"g-4","expires":1}""", $$"""{"id":"ok-1","expires":{{Expires}}}""",
        ];
        foreach (var p in payloads) await Send(d, "echo", p);
        await Send(d, "a/b", """{"id":"g-5","expires":1}""");
        await Results(payloads.Length + 1);
        await Eventually.TrueAsync(() => d.Pending == 0, "idle");

        Assert.Equal(payloads.Length + 1, _sink.Results.Count);
        Assert.Equal(1, echo.Calls);
        Assert.Equal("done", _sink.Single("ok-1").GetProperty("status").GetString());
        var nulls = _sink.Results.Where(r => r.GetProperty("id").ValueKind == JsonValueKind.Null).ToList();
        Assert.Equal(8, nulls.Count);
        Assert.All(nulls, r => Assert.Equal("failed", r.GetProperty("status").GetString()));
        Assert.Contains("expired at", _sink.Single("g-4").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, _sink.Single("g-5").GetProperty("cmd").ValueKind);
        Assert.Equal(8, d.Malformed);
    }

    [Fact]
    public async Task Unknown_command_names_the_known_ones()
    {
        var d = Create(handlers: [TestHandler.Echo("b.two"), TestHandler.Echo("a.one")]);

        await SendCmd(d, "nope", "c-1");

        var r = _sink.Single("c-1");
        Assert.Equal("failed", r.GetProperty("status").GetString());
        Assert.Equal("unknown command 'nope' (known: a.one, b.two)", r.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Expired_and_too_far_ahead_commands_are_refused_not_run()
    {
        var echo = TestHandler.Echo();
        var d = Create(handlers: echo);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();

        await Send(d, "echo", $$"""{"id":"old","expires":{{now}}}""");
        await Send(d, "echo", $$"""{"id":"far","expires":{{now + (long)TimeSpan.FromDays(8).TotalMilliseconds}}}""");

        Assert.StartsWith("expired at ", _sink.Single("old").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("more than 7.00:00:00 ahead", _sink.Single("far").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, echo.Calls);
    }

    [Fact]
    public async Task Handler_exceptions_become_failed_results()
    {
        var d = Create(handlers:
        [
            new TestHandler("rejects", false, (_, _) => throw new CommandRejectedException("args.meter 'm9' is not in the archive")),
            new TestHandler("fails", false, (_, _) => Task.FromException<CommandOutcome>(new CommandFailedException("meter did not answer", new JsonObject { ["tried"] = 3 }))),
            new TestHandler("throws", false, (_, _) => throw new InvalidOperationException("secret internals")),
            new TestHandler("accepts", false, (_, _) => Task.FromResult(CommandOutcome.Accepted())),
        ]);

        foreach (var (name, id) in new[] { ("rejects", "c-1"), ("fails", "c-2"), ("throws", "c-3"), ("accepts", "c-4") }) await SendCmd(d, name, id);
        await Results(4);

        Assert.Equal("args.meter 'm9' is not in the archive", _sink.Single("c-1").GetProperty("reason").GetString());
        Assert.Equal("meter did not answer", _sink.Single("c-2").GetProperty("reason").GetString());
        Assert.Equal(3, _sink.Single("c-2").GetProperty("data").GetProperty("tried").GetInt32());
        Assert.Equal("internal error: InvalidOperationException", _sink.Single("c-3").GetProperty("reason").GetString());
        Assert.Equal("accepted", _sink.Single("c-4").GetProperty("status").GetString());
        Assert.False(_sink.Single("c-4").TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_seen_id_is_neither_run_nor_answered_again_even_after_a_restart()
    {
        var echo = TestHandler.Echo();
        var d = Create(handlers: echo);
        await SendCmd(d, "echo", "c-1");
        await Results(1);
        await SendCmd(d, "echo", "c-1");
        await d.StopAsync(CancellationToken.None);

        var restarted = Create(handlers: echo);
        await SendCmd(restarted, "echo", "c-1");
        await SendCmd(restarted, "echo", "c-2");
        await Results(2);
        await Eventually.TrueAsync(() => restarted.Pending == 0, "idle");

        Assert.Equal(2, echo.Calls);
        Assert.Single(_sink.For("c-1"));
        Assert.Equal(1, restarted.Duplicates);
        // A refused command's id is remembered too: its redelivery is not answered twice.
        await Send(restarted, "echo", """{"id":"bad","expires":"x"}""");
        await Send(restarted, "echo", """{"id":"bad","expires":"x"}""");
        Assert.Single(_sink.For("bad"));
    }

    [Fact]
    public async Task A_command_running_when_the_DCU_died_is_answered_interrupted_after_the_restart()
    {
        var entered = new TaskCompletionSource();
        var hang = new TestHandler("relay.open", true, async (_, ct) => { entered.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); return CommandOutcome.Done(); });
        var d = Create(handlers: hang);
        await SendCmd(d, "relay.open", "c-9");
        await Eventually.WithinAsync(entered.Task.ContinueWith(_ => true), "handler running");
        // The power is cut now: what is on disk is the ledger as it is.
        File.Copy(_dir.File("ledger.jsonl"), _dir.File("after-crash.jsonl"));

        var restarted = Create(ledger: "after-crash.jsonl", handlers: hang);
        await restarted.ReportInterruptedAsync(CancellationToken.None);

        var r = _sink.Single("c-9");
        Assert.Equal("relay.open", r.GetProperty("cmd").GetString());
        Assert.Equal("failed", r.GetProperty("status").GetString());
        Assert.Equal("interrupted by a DCU restart; state unknown, read back before retrying", r.GetProperty("reason").GetString());
        await SendCmd(restarted, "relay.open", "c-9"); // the broker redelivers it
        Assert.Single(_sink.For("c-9"));
        Assert.Equal(1, hang.Calls);
        var third = Create(ledger: "after-crash.jsonl", handlers: hang);
        await third.ReportInterruptedAsync(CancellationToken.None);
        Assert.Single(_sink.For("c-9"));
    }

    [Fact]
    public async Task At_most_MaxConcurrent_run_at_once_and_the_rest_queue()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, peak = 0;
        var slow = new TestHandler("slow", false, async (_, _) =>
        {
            var n = Interlocked.Increment(ref running);
            lock (gate) peak = Math.Max(peak, n);
            await gate.Task;
            Interlocked.Decrement(ref running);
            return CommandOutcome.Done();
        });
        var d = Create(new CommandOptions { MaxConcurrent = 2, MaxQueued = 3 }, handlers: slow);

        for (var i = 0; i < 6; i++) await SendCmd(d, "slow", $"c-{i}");
        await Eventually.TrueAsync(() => Volatile.Read(ref running) == 2, "two running");
        await Results(1);

        Assert.StartsWith("busy: 2 commands running and 3 queued", _sink.Single("c-5").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, slow.Calls);
        gate.SetResult();
        await Results(6);
        Assert.Equal(2, peak);
        Assert.Equal(5, _sink.Results.Count(r => r.GetProperty("status").GetString() == "done"));
    }

    [Fact]
    public async Task A_command_over_its_execution_timeout_is_cancelled_and_answered_timed_out()
    {
        var cancelled = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        var hang = new TestHandler("hang", false, async (_, ct) =>
        {
            entered.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
            return CommandOutcome.Done();
        });
        var d = Create(new CommandOptions { ExecutionTimeout = TimeSpan.FromMinutes(5) }, handlers: hang);

        await SendCmd(d, "hang", "c-1");
        await Eventually.WithinAsync(entered.Task.ContinueWith(_ => true), "handler running");
        _time.Advance(TimeSpan.FromMinutes(5));
        await Results(1);

        Assert.StartsWith("timed out after 00:05:00", _sink.Single("c-1").GetProperty("reason").GetString(), StringComparison.Ordinal);
        await Eventually.WithinAsync(cancelled.Task.ContinueWith(_ => true), "handler's token cancelled");
        Assert.Equal(1, d.TimedOut);
    }

    [Fact]
    public async Task Stopping_cancels_what_still_runs_after_the_grace_and_answers_it()
    {
        var entered = new TaskCompletionSource();
        var hang = new TestHandler("hang", false, async (_, ct) => { entered.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); return CommandOutcome.Done(); });
        var d = Create(new CommandOptions { StopGrace = TimeSpan.Zero }, handlers: hang);
        await SendCmd(d, "hang", "c-1");
        await Eventually.WithinAsync(entered.Task.ContinueWith(_ => true), "handler running");

        await d.StopAsync(CancellationToken.None);
        await Results(1);

        Assert.StartsWith("cancelled: the DCU is stopping", _sink.Single("c-1").GetProperty("reason").GetString(), StringComparison.Ordinal);
        await SendCmd(d, "hang", "c-2"); // after stop: ignored, left for redelivery
        Assert.Empty(_sink.For("c-2"));
    }

    // Signatures -------------------------------------------------------------------------------------

    private const string KeyHex = CommandSignatureTests.ExampleKeyHex;

    private CommandDispatcher Signed(SignaturePolicy? policy, out TestHandler set, out TestHandler get)
    {
        set = new TestHandler("config.set", true, (_, _) => Task.FromResult(CommandOutcome.Done()));
        get = new TestHandler("config.get", false, (_, _) => Task.FromResult(CommandOutcome.Done()));
        return Create(new CommandOptions { SigningKey = KeyHex, RequireSignature = policy }, handlers: [set, get]);
    }

    [Fact]
    public async Task Destructive_mode_by_default_runs_the_documented_signed_example()
    {
        var d = Signed(null, out var set, out _);

        await Send(d, "config.set", CommandSignatureTests.ExamplePayload);
        await Results(1);

        Assert.Equal("done", _sink.Single("c-42").GetProperty("status").GetString());
        Assert.Equal(1, set.Calls);
        Assert.Empty(_outbox.Events);
    }

    [Theory]
    [InlineData(null, "config.set", null, "signature missing")]
    [InlineData(null, "config.set", "0000000000000000000000000000000000000000000000000000000000000000", "signature invalid")]
    [InlineData(null, "config.set", "not-hex", "signature invalid")]
    [InlineData(null, "config.get", null, null)]
    [InlineData(null, "config.get", "0000000000000000000000000000000000000000000000000000000000000000", "signature invalid")]
    [InlineData(SignaturePolicy.All, "config.get", null, "signature missing")]
    [InlineData(SignaturePolicy.All, "unknown.cmd", null, "signature missing")]
    [InlineData(SignaturePolicy.None, "config.set", null, null)]
    [InlineData(SignaturePolicy.None, "config.set", "0000000000000000000000000000000000000000000000000000000000000000", "signature invalid")]
    public async Task Signature_rules_per_mode(SignaturePolicy? policy, string name, string? sig, string? refusal)
    {
        var d = Signed(policy, out var set, out var get);

        var sigField = sig is null ? "" : $",\"sig\":\"{sig}\"";
        await Send(d, name, $$"""{"id":"c-1","expires":{{Expires}},"args":{}{{sigField}}}""");
        await Results(1);
        await Eventually.TrueAsync(() => d.Pending == 0, "idle");

        var r = _sink.Single("c-1");
        if (refusal is null)
        {
            Assert.Equal("done", r.GetProperty("status").GetString());
            Assert.Empty(_outbox.Events);
            return;
        }
        Assert.Equal(refusal, r.GetProperty("reason").GetString());
        Assert.Equal(0, set.Calls + get.Calls);
        var e = Assert.Single(_outbox.Events);
        Assert.Null(e.Meter);
        Assert.Equal("command_signature_invalid", e.Kind);
        Assert.Contains("c-1", e.Detail, StringComparison.Ordinal);
        Assert.Contains(name, e.Detail, StringComparison.Ordinal);
        Assert.Contains(Prefix + name, e.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyHex, e.Detail, StringComparison.OrdinalIgnoreCase);
        if (sig is not null) Assert.DoesNotContain(sig, e.Detail, StringComparison.Ordinal);
        Assert.Equal(1, d.SignatureFailures);
    }

    [Fact]
    public void Options_refuse_a_required_signature_without_a_key_and_short_keys()
    {
        Assert.Contains(new CommandOptions { RequireSignature = SignaturePolicy.All }.Validate(), p => p.Contains("Commands:SigningKey is not set", StringComparison.Ordinal));
        var shortKey = new CommandOptions { SigningKey = "00112233" }.Validate();
        Assert.Contains(shortKey, p => p.StartsWith("Commands:SigningKey must be at least 16 bytes", StringComparison.Ordinal));
        Assert.DoesNotContain(shortKey, p => p.Contains("00112233", StringComparison.Ordinal));
        Assert.Empty(new CommandOptions { SigningKey = Convert.ToBase64String(new byte[32]) }.Validate());
        Assert.Equal(SignaturePolicy.Destructive, new CommandOptions { SigningKey = KeyHex }.EffectiveSignaturePolicy);
        Assert.Equal(SignaturePolicy.None, new CommandOptions().EffectiveSignaturePolicy);
    }

    public void Dispose()
    {
        foreach (var o in _open) o.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Dispose();
    }

    private sealed class Closer(CommandDispatcher d, CommandLedger l) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await d.DisposeAsync();
            l.Dispose();
        }
    }
}
