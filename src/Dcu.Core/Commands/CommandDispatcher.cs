using System.Collections.Concurrent;
using System.Globalization;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands;

/// <summary>
/// Turns messages on <c>dcu/{id}/cmd/{name}</c> into handler calls and gives each command exactly one
/// result (docs/mqtt-contract.md, "Commands"). Per message, in order:
/// <list type="number">
/// <item>the envelope is parsed (<see cref="CommandEnvelope.Parse"/>); without a usable id the result has <c>"id":null</c>;</item>
/// <item>the id is looked up in the <see cref="CommandLedger"/>: a seen id (QoS 1 redelivery, DCP retry) is dropped, with no second result;</item>
/// <item>the id is recorded (fsynced) with the refusal, if any: bad envelope, expired or too far ahead,
/// signature missing or invalid (also a <c>command_signature_invalid</c> event), unknown command, busy;</item>
/// <item>otherwise the command is queued and runs with at most <see cref="CommandOptions.MaxConcurrent"/> at once,
/// each cancelled after <see cref="CommandOptions.ExecutionTimeout"/>; its outcome is recorded, then sent.</item>
/// </list>
/// <see cref="HandleAsync"/> returns once the command is answered or queued, so the inbound loop never waits on a handler.
/// </summary>
public sealed class CommandDispatcher : IAsyncDisposable
{
    /// <summary>How long refused commands' ids (and executed ones', past their expiry) are remembered, for late redeliveries.</summary>
    public static readonly TimeSpan RetentionGrace = TimeSpan.FromHours(1);

    public const string InterruptedReason = "interrupted by a DCU restart; state unknown, read back before retrying";

    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly string _known;
    private readonly CommandLedger _ledger;
    private readonly ICommandResultSink _results;
    private readonly IOutboxWriter? _events;
    private readonly CommandOptions _options;
    private readonly byte[]? _key;
    private readonly SignaturePolicy _policy;
    private readonly string _commandPrefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private int _pending;
    private volatile bool _stopping;
    private long _received, _malformed, _duplicates, _signatureFailures, _executed, _timedOut, _sendFailures;

    /// <param name="commandPrefix">The topic prefix of commands, <c>dcu/{id}/cmd/</c> (Topics.CommandPrefix).</param>
    /// <param name="events">Where security events go (the outbox); null drops them (tests).</param>
    public CommandDispatcher(IEnumerable<ICommandHandler> handlers, CommandLedger ledger, ICommandResultSink results, string commandPrefix,
        CommandOptions options, IOutboxWriter? events = null, TimeProvider? time = null, ILogger<CommandDispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrEmpty(commandPrefix);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _handlers = new Dictionary<string, ICommandHandler>(StringComparer.Ordinal);
        foreach (var h in handlers)
        {
            if (!CommandEnvelope.IsValidName(h.Name)) throw new ArgumentException($"handler name '{h.Name}' is not a valid command name", nameof(handlers));
            if (!_handlers.TryAdd(h.Name, h)) throw new ArgumentException($"two handlers for command '{h.Name}'", nameof(handlers));
        }
        _known = _handlers.Count == 0 ? "none" : string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal));
        _ledger = ledger;
        _results = results;
        _commandPrefix = commandPrefix;
        _options = options;
        _events = events;
        _key = options.DecodeSigningKey();
        _policy = options.EffectiveSignaturePolicy;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(options.MaxConcurrent, options.MaxConcurrent);
    }

    public IReadOnlyCollection<string> Commands => _handlers.Keys;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Messages answered <c>"id":null</c> (no usable id).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Messages dropped because their id was seen before.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long SignatureFailures => Interlocked.Read(ref _signatureFailures);

    /// <summary>Commands whose handler was called.</summary>
    public long Executed => Interlocked.Read(ref _executed);

    public long TimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>Results the sink could not take (thrown).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Commands queued or running now.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Answers the commands that were running when the DCU last stopped without deciding them: failed,
    /// <see cref="InterruptedReason"/>. Call once at start, when results can be sent.
    /// </summary>
    public async Task ReportInterruptedAsync(CancellationToken ct)
    {
        foreach (var e in _ledger.Interrupted)
        {
            _logger.LogWarning("Command {Id} ({Command}) was interrupted by a restart; answering failed", e.Id, e.Name);
            if (await SendAsync(e.Id, e.Name, CommandOutcome.Failed(InterruptedReason), ct).ConfigureAwait(false))
                _ledger.Complete(e.Id, CommandStatus.Failed);
        }
    }

    /// <summary>Handles one message from <c>dcu/{id}/cmd/#</c>; returns once it is answered or queued.</summary>
    public async Task HandleAsync(UplinkMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_stopping)
        {
            // Not recorded: with a persistent session the broker redelivers it after the restart.
            _logger.LogInformation("Command on {Topic} ignored: the DCU is stopping", message.Topic);
            return;
        }
        Interlocked.Increment(ref _received);
        var topicName = message.Topic.StartsWith(_commandPrefix, StringComparison.Ordinal) ? message.Topic[_commandPrefix.Length..] : null;
        var parsed = CommandEnvelope.Parse(message.Payload, topicName);
        if (parsed.Id is null)
        {
            Interlocked.Increment(ref _malformed);
            _logger.LogWarning("Malformed command on {Topic}: {Reason}", message.Topic, parsed.Error);
            await SendAsync(null, parsed.Name, CommandOutcome.Failed(parsed.Error!), ct).ConfigureAwait(false);
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var envelope = parsed.Envelope;
        string? refusal = parsed.Error;
        var signatureProblem = false;
        ICommandHandler? handler = null;
        if (envelope is not null)
        {
            refusal = envelope.CheckExpiry(now, _options.MaxExpiry);
            _handlers.TryGetValue(envelope.Name, out handler);
            if (refusal is null && CheckSignature(envelope, handler) is { } sigError)
            {
                refusal = sigError;
                signatureProblem = true;
            }
            if (refusal is null && handler is null) refusal = $"unknown command '{envelope.Name}' (known: {_known})";
        }

        // Remembered until its expiry (clamped to what may be accepted) plus a grace for late redeliveries.
        var retainBase = envelope is null ? now : Math.Clamp(envelope.ExpiresUnixMs, now, now + (long)_options.MaxExpiry.TotalMilliseconds);
        var retainUntil = retainBase + (long)RetentionGrace.TotalMilliseconds;
        LedgerAdmission admission;
        try
        {
            admission = _ledger.TryBegin(parsed.Id, parsed.Name, retainUntil, refusal is null ? null : CommandStatus.Failed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Command {Id}: the command ledger cannot be written; refusing the command", parsed.Id);
            await SendAsync(parsed.Id, parsed.Name, CommandOutcome.Failed("refused: the DCU cannot record the command (storage error)"), ct).ConfigureAwait(false);
            return;
        }
        switch (admission)
        {
            case LedgerAdmission.Duplicate:
                Interlocked.Increment(ref _duplicates);
                _logger.LogInformation("Command {Id} on {Topic} was seen before (redelivery or retry): not executed again, not answered again", parsed.Id, message.Topic);
                return;
            case LedgerAdmission.Full:
                _logger.LogWarning("Command {Id} refused: the command ledger holds {Count} ids within their expiry", parsed.Id, _ledger.Count);
                await SendAsync(parsed.Id, parsed.Name, CommandOutcome.Failed("refused: too many commands remembered within their expiry; use shorter expiries"), ct).ConfigureAwait(false);
                return;
        }

        if (refusal is not null)
        {
            if (signatureProblem) await ReportSignatureProblemAsync(envelope!, message.Topic, refusal, ct).ConfigureAwait(false);
            else _logger.LogInformation("Command {Id} ({Command}) refused: {Reason}", parsed.Id, parsed.Name, refusal);
            await SendAsync(parsed.Id, parsed.Name, CommandOutcome.Failed(refusal), ct).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _pending) > _options.MaxConcurrent + _options.MaxQueued)
        {
            Interlocked.Decrement(ref _pending);
            await FinishAsync(envelope!, CommandOutcome.Failed(string.Create(CultureInfo.InvariantCulture,
                $"busy: {_options.MaxConcurrent} commands running and {_options.MaxQueued} queued; send it again later with a new id")), ct).ConfigureAwait(false);
            return;
        }
        var run = RunAsync(envelope!, handler!);
        _running[envelope!.Id] = run;
        _ = run.ContinueWith((_, id) => _running.TryRemove((string)id!, out Task? _), envelope.Id, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Stops taking commands, lets running ones finish for up to <see cref="CommandOptions.StopGrace"/>, then
    /// cancels them (answered failed; queued ones are answered without running).
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _stopping = true;
        var all = Task.WhenAll(_running.Values);
        try
        {
            await all.WaitAsync(_options.StopGrace, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} command(s) still running after {Grace}; cancelling them", _running.Count, _options.StopGrace);
            await _cancel.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(2), _time, ct).ConfigureAwait(false); }
            catch (TimeoutException) { _logger.LogWarning("{Count} command handler(s) ignore cancellation; they are reported interrupted at the next start", _running.Count); }
        }
    }

    /// <summary>Stops at once: cancels whatever still runs (call <see cref="StopAsync"/> first for a graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _cancel.CancelAsync().ConfigureAwait(false);
    }

    private string? CheckSignature(CommandEnvelope envelope, ICommandHandler? handler)
    {
        var required = _policy switch
        {
            SignaturePolicy.All => true,
            SignaturePolicy.Destructive => handler?.Destructive == true,
            _ => false,
        };
        // A signature that is present is checked whenever a key is set, required or not: a wrong one is never ignored.
        if (envelope.Signature is null) return required ? "signature missing" : null;
        if (_key is null) return null;
        return CommandSignature.Verify(_key, envelope, envelope.Signature) ? null : "signature invalid";
    }

    private async Task ReportSignatureProblemAsync(CommandEnvelope envelope, string topic, string problem, CancellationToken ct)
    {
        Interlocked.Increment(ref _signatureFailures);
        var detail = $"command {envelope.Id} '{envelope.Name}' on {topic}: {problem}; not executed";
        _logger.LogWarning("Security: {Detail}", detail);
        if (_events is null) return;
        try
        {
            await _events.AppendAsync(new MeterEvent(null, CommandEventKinds.SignatureInvalid, _time.GetUtcNow().ToUnixTimeMilliseconds(), detail), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not store the {Kind} event", CommandEventKinds.SignatureInvalid);
        }
    }

    private async Task RunAsync(CommandEnvelope envelope, ICommandHandler handler)
    {
        await Task.Yield(); // HandleAsync returns at once; the command runs on the pool.
        var slotTaken = false;
        try
        {
            try
            {
                await _slots.WaitAsync(_cancel.Token).ConfigureAwait(false);
                slotTaken = true;
            }
            catch (OperationCanceledException)
            {
            }
            if (!slotTaken || _stopping)
            {
                await FinishAsync(envelope, CommandOutcome.Failed("not run: the DCU is stopping; send it again with a new id"), CancellationToken.None).ConfigureAwait(false);
                return;
            }
            var outcome = await ExecuteAsync(envelope, handler, () => slotTaken = false).ConfigureAwait(false);
            await FinishAsync(envelope, outcome, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Command {Id} ({Command}): dispatcher error", envelope.Id, envelope.Name);
        }
        finally
        {
            if (slotTaken) _slots.Release();
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <param name="slotHandedOver">Called when the slot is handed to the still-running handler (it releases it when it ends).</param>
    private async Task<CommandOutcome> ExecuteAsync(CommandEnvelope envelope, ICommandHandler handler, Action slotHandedOver)
    {
        var request = new CommandRequest(envelope.Id, envelope.Name, envelope.ExpiresUnixMs, new CommandArgs(envelope.Args));
        using var timeout = new CancellationTokenSource(_options.ExecutionTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _cancel.Token);
        Interlocked.Increment(ref _executed);
        _logger.LogInformation("Command {Id} ({Command}) executing", envelope.Id, envelope.Name);
        Task<CommandOutcome> work;
        try
        {
            work = handler.ExecuteAsync(request, linked.Token);
        }
        catch (Exception ex)
        {
            work = Task.FromException<CommandOutcome>(ex);
        }
        try
        {
            return await work.WaitAsync(linked.Token).ConfigureAwait(false) ?? CommandOutcome.Failed("internal error: the handler returned no outcome");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested || _cancel.IsCancellationRequested)
        {
            if (!work.IsCompleted)
            {
                // The handler's token is cancelled; until it returns, it keeps its slot (so hung handlers cannot pile up).
                slotHandedOver();
                _ = work.ContinueWith(static (t, s) => { _ = t.Exception; ((SemaphoreSlim)s!).Release(); }, _slots, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            if (timeout.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timedOut);
                _logger.LogWarning("Command {Id} ({Command}) timed out after {Timeout}", envelope.Id, envelope.Name, _options.ExecutionTimeout);
                return CommandOutcome.Failed($"timed out after {_options.ExecutionTimeout:c}; the handler was cancelled and what it did is unknown, read back before retrying");
            }
            return CommandOutcome.Failed("cancelled: the DCU is stopping; what the command did is unknown, read back before retrying");
        }
        catch (CommandRejectedException ex)
        {
            _logger.LogInformation("Command {Id} ({Command}) rejected: {Reason}", envelope.Id, envelope.Name, ex.Message);
            return CommandOutcome.Failed(ex.Message);
        }
        catch (CommandFailedException ex)
        {
            _logger.LogWarning("Command {Id} ({Command}) failed: {Reason}", envelope.Id, envelope.Name, ex.Message);
            return CommandOutcome.Failed(ex.Message, ex.ResultData);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Command {Id} ({Command}) threw", envelope.Id, envelope.Name);
            return CommandOutcome.Failed($"internal error: {ex.GetType().Name}");
        }
    }

    /// <summary>Records the outcome, then sends it (a crash in between loses the result but never doubles it).</summary>
    private async Task FinishAsync(CommandEnvelope envelope, CommandOutcome outcome, CancellationToken ct)
    {
        try
        {
            _ledger.Complete(envelope.Id, outcome.Status);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Command {Id}: its outcome could not be recorded (it will be reported interrupted after a restart)", envelope.Id);
        }
        await SendAsync(envelope.Id, envelope.Name, outcome, ct).ConfigureAwait(false);
    }

    private async Task<bool> SendAsync(string? id, string? name, CommandOutcome outcome, CancellationToken ct)
    {
        var payload = CommandResultWriter.Write(id, name, outcome.Status, outcome.Reason, outcome.Data, _time.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            await _results.SendAsync(payload, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _sendFailures);
            _logger.LogError(ex, "The result of command {Id} ({Command}) could not be sent", id, name);
            return false;
        }
    }
}
