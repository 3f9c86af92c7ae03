using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Dcu.Core.Uplink.Encodings;

namespace Dcu.Core.Uplink;

/// <summary>
/// Drains the outbox to the DCP: wait until connected, take the highest non-empty lane (Results, then
/// Events, Billing, Readings), publish at QoS 1, and finish what was acknowledged.
/// <para>
/// Results are single messages, published verbatim on <c>dcu/{id}/{suffix}</c> and removed at their PUBACK.
/// The other lanes go out as numbered batches (<see cref="OutboxBatch"/>): the outbox gives each batch a
/// DCU-wide <c>seq</c> (durable before the first publish) and a re-publish carries the same seq and items.
/// Pipelining works in waves: up to <see cref="UplinkPublisherOptions.MaxInFlight"/> batches of one lane are
/// published concurrently; when all have completed, the acknowledged ones are finished in one outbox
/// transaction (their items move to the sent history). A refused, failed or timed-out batch stays open and
/// is published again after a back-off (at-least-once; the DCP de-duplicates by item identity).
/// </para>
/// <para>
/// With <see cref="UplinkPublisherOptions.RequireDcpAck"/>, a PUBACKed batch is not finished: it waits for the
/// DCP's ack (<see cref="OnAck"/>) and is re-published with the same seq after <see cref="UplinkPublisherOptions.DcpAckTimeout"/>;
/// at most <see cref="UplinkPublisherOptions.DcpAckWindow"/> batches wait, and new batches pause while the window
/// is full. Which batches wait is kept in memory only: after a restart every open batch is published again.
/// </para>
/// A wave's payloads live in buffers owned by the publisher and reused by the next wave, so an
/// <see cref="IUplink"/> must not keep a message's payload after <see cref="IUplink.PublishAsync"/> has completed.
/// Run one instance with <see cref="RunAsync"/>; it returns when the token is cancelled.
/// </summary>
public sealed class UplinkPublisher
{
    private readonly IUplink _uplink;
    private readonly IOutboxReader _outbox;
    private readonly Topics _topics;
    private readonly UplinkPublisherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Slot[] _slots;
    private readonly IBatchEncoding _encoding;
    private static readonly OutboxLane[] BatchedLanes = OutboxLanes.Batched.ToArray();
    private readonly Lock _rateLock = new();
    // Acks from OnAck (any thread) to the run loop; bounded: a dropped ack only means a later re-publish.
    private readonly Channel<SeqRange[]> _acks = Channel.CreateBounded<SeqRange[]>(new BoundedChannelOptions(1024)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    // Run loop only: seq -> timestamp (TimeProvider) after which it is re-published.
    private readonly Dictionary<long, long> _awaiting = [];
    private int _awaitingCount;
    private long _batches;
    private long _readings;
    private long _events;
    private long _billing;
    private long _results;
    private long _failed;
    private long _dcpAcked;
    private long _republished;
    private long _malformedAcks;
    private long _loops;
    private Task _finishing = Task.CompletedTask;
    private readonly HashSet<long> _finishingSeqs = [];
    private long _rateStartTimestamp;
    private long _rateStartCount;
    private double _rate;

    public UplinkPublisher(IUplink uplink, IOutboxReader outbox, Topics topics, UplinkPublisherOptions? options = null,
        TimeProvider? timeProvider = null, ILogger<UplinkPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(uplink);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(topics);
        _options = options ?? new UplinkPublisherOptions();
        _encoding = BatchEncodings.Create(_options.Encoding);
        _options.Validate();
        _uplink = uplink;
        _outbox = outbox;
        _topics = topics;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new Slot[_options.MaxInFlight];
        for (var i = 0; i < _slots.Length; i++) _slots[i] = new Slot();
        _rateStartTimestamp = _time.GetTimestamp();
    }

    /// <summary>
    /// Takes a DCP acknowledgement (the payload of a message on <see cref="Topics.Ack"/>; format in <see cref="DcpAck"/>).
    /// Returns false, logging why, for a malformed payload, which acknowledges nothing. Thread-safe and
    /// non-blocking: the batches are finished by the run loop.
    /// </summary>
    public bool OnAck(ReadOnlySpan<byte> payload)
    {
        if (!DcpAck.TryParse(payload, out var ranges, out var error))
        {
            Interlocked.Increment(ref _malformedAcks);
            _logger.LogWarning("Ignoring a malformed DCP ack ({Bytes} bytes): {Error}", payload.Length, error);
            return false;
        }
        if (!_options.RequireDcpAck) _logger.LogDebug("DCP ack received while RequireDcpAck is off: batches already finished at PUBACK");
        if (!_acks.Writer.TryWrite(ranges)) _logger.LogWarning("DCP ack queue full: ack dropped, its batches are re-published after the timeout");
        return true;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested(); // the steps below may all complete synchronously
                Interlocked.Increment(ref _loops);
                await _uplink.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
                var appended = _outbox.NextAppend(); // taken before peeking: no commit is missed
                await ApplyAcksAsync(cancellationToken).ConfigureAwait(false);
                var (worked, ok, lane) = await PublishNextAsync(cancellationToken).ConfigureAwait(false);
                if (!worked)
                {
                    await WaitForWorkAsync(appended, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (ok)
                {
                    failures = 0;
                    continue;
                }
                failures++;
                var delay = Backoff(failures);
                _logger.LogWarning("Publishing {Lane} failed ({Failures} in a row); retrying the same batches in {Delay}", lane, failures, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping. Unfinished items stay in the outbox for the next run.
        }
    }

    /// <summary>Turns of the run loop (tests check it does not spin while idle).</summary>
    internal long Loops => Interlocked.Read(ref _loops);

    public PublishStats GetStats()
    {
        double rate;
        var readings = Interlocked.Read(ref _readings);
        lock (_rateLock)
        {
            var elapsed = _time.GetElapsedTime(_rateStartTimestamp);
            if (elapsed >= TimeSpan.FromSeconds(1))
            {
                _rate = (readings - _rateStartCount) / elapsed.TotalSeconds;
                _rateStartCount = readings;
                _rateStartTimestamp = _time.GetTimestamp();
            }
            rate = _rate;
        }
        return new PublishStats(Interlocked.Read(ref _batches), readings, Interlocked.Read(ref _events), Interlocked.Read(ref _failed), rate,
            Interlocked.Read(ref _billing), Interlocked.Read(ref _results), Volatile.Read(ref _awaitingCount), Interlocked.Read(ref _dcpAcked),
            Interlocked.Read(ref _republished), Interlocked.Read(ref _malformedAcks));
    }

    /// <summary>Finishes the batches the DCP acknowledged since the last look.</summary>
    private async Task ApplyAcksAsync(CancellationToken cancellationToken)
    {
        List<SeqRange>? ranges = null;
        while (_acks.Reader.TryRead(out var ack)) (ranges ??= []).AddRange(ack);
        if (ranges is null) return;
        var finished = await _outbox.FinishBatchesAsync(ranges, cancellationToken).ConfigureAwait(false);
        foreach (var seq in finished) _awaiting.Remove(seq);
        // Acked seqs that are no longer open (finished already, evicted): forget them too.
        foreach (var seq in _awaiting.Keys.Where(s => ranges.Any(r => r.Contains(s))).ToList()) _awaiting.Remove(seq);
        Volatile.Write(ref _awaitingCount, _awaiting.Count);
        Interlocked.Add(ref _dcpAcked, finished.Length);
        _logger.LogDebug("DCP acknowledged {Ranges}; finished {Count} batches", string.Join(",", ranges.Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}")), finished.Length);
    }

    /// <summary>Publishes one wave of the highest lane that has work. Returns whether there was work, whether it all went through, and the lane.</summary>
    private async Task<(bool Worked, bool Ok, OutboxLane Lane)> PublishNextAsync(CancellationToken cancellationToken)
    {
        var results = _outbox.PeekOldest(OutboxLane.Results, _options.MaxInFlight);
        if (results.Length > 0)
        {
            await FinishedAsync().ConfigureAwait(false);
            return (true, await PublishResultsAsync(results, cancellationToken).ConfigureAwait(false), OutboxLane.Results);
        }

        if (_options.RequireDcpAck) ForgetClosedBatches();
        var now = _time.GetTimestamp();
        foreach (var lane in BatchedLanes)
        {
            var due = _outbox.PeekBatches(lane, _options.MaxInFlight, seq => !_finishingSeqs.Contains(seq) && (!_awaiting.TryGetValue(seq, out var until) || now >= until));
            var room = _options.MaxInFlight - due.Length;
            if (_options.RequireDcpAck)
            {
                // New batches only while the window has room: the waiting ones and those about to be published count.
                room = Math.Min(room, _options.DcpAckWindow - _awaiting.Count - due.Count(b => !_awaiting.ContainsKey(b.Seq)));
            }
            var fresh = room > 0 ? await _outbox.OpenBatchesAsync(lane, _options.BatchSize, room, cancellationToken).ConfigureAwait(false) : [];
            await FinishedAsync().ConfigureAwait(false);
            var batches = due.Concat(fresh).ToList();
            if (batches.Count == 0) continue;
            var empty = batches.Where(b => b.Items.Length == 0).Select(b => SeqRange.Single(b.Seq)).ToList();
            if (empty.Count > 0)
            {
                // Every item evicted by the size bound: nothing to publish, just close the batch.
                foreach (var seq in await _outbox.FinishBatchesAsync(empty, cancellationToken).ConfigureAwait(false)) _awaiting.Remove(seq);
                batches.RemoveAll(b => b.Items.Length == 0);
                if (batches.Count == 0) return (true, true, lane);
            }
            return (true, await PublishWaveAsync(lane, batches, cancellationToken).ConfigureAwait(false), lane);
        }
        await FinishedAsync().ConfigureAwait(false);
        return (false, true, OutboxLane.Readings);
    }

    /// <summary>Waits for the finish queued after the last wave (see <see cref="PublishWaveAsync"/>).</summary>
    private async Task FinishedAsync()
    {
        if (_finishingSeqs.Count == 0) return;
        try
        {
            await _finishing.ConfigureAwait(false);
        }
        finally
        {
            _finishingSeqs.Clear();
        }
    }

    /// <summary>Drops waiting seqs the outbox no longer holds (evicted, or finished by an ack applied earlier).</summary>
    private void ForgetClosedBatches()
    {
        if (_awaiting.Count == 0) return;
        var open = _outbox.OpenBatchSeqs().ToHashSet();
        foreach (var seq in _awaiting.Keys.Where(s => !open.Contains(s)).ToList()) _awaiting.Remove(seq);
        Volatile.Write(ref _awaitingCount, _awaiting.Count);
    }

    /// <summary>Sleeps until an append, an ack, the next DCP-ack deadline or the idle re-check, whichever comes first.</summary>
    private async Task WaitForWorkAsync(Task appended, CancellationToken cancellationToken)
    {
        var wait = _options.IdleRecheck;
        if (_awaiting.Count > 0)
        {
            var next = _awaiting.Values.Min();
            var until = next <= _time.GetTimestamp() ? TimeSpan.Zero : _time.GetElapsedTime(_time.GetTimestamp(), next);
            if (until < wait) wait = until;
        }
        if (wait <= TimeSpan.Zero) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var ack = _acks.Reader.WaitToReadAsync(stop.Token).AsTask();
            await Task.WhenAny(appended, ack).WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A deadline or the fallback re-check; the commit or ack signal is the normal wake-up.
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> PublishResultsAsync(OutboxRecord[] records, CancellationToken cancellationToken)
    {
        var publishes = new Task<bool>[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var m = records[i].Message!;
            publishes[i] = PublishOneAsync(new UplinkMessage(_topics.Of(m.TopicSuffix), m.Payload), cancellationToken);
        }
        await Task.WhenAll(publishes).ConfigureAwait(false);
        var acked = new List<long>(records.Length);
        for (var i = 0; i < records.Length; i++) if (publishes[i].Result) acked.Add(records[i].Id);
        if (acked.Count > 0)
        {
            Interlocked.Add(ref _batches, acked.Count);
            Interlocked.Add(ref _results, acked.Count);
            await _outbox.RemoveAsync(OutboxLane.Results, acked, cancellationToken).ConfigureAwait(false);
        }
        return acked.Count == records.Length;
    }

    private async Task<bool> PublishWaveAsync(OutboxLane lane, List<OutboxBatch> batches, CancellationToken cancellationToken)
    {
        var topic = lane switch
        {
            OutboxLane.Events => _topics.Events,
            OutboxLane.Billing => _topics.Billing,
            _ => _topics.Readings,
        };
        var publishes = new Task<bool>[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            var slot = _slots[i];
            slot.Reset();
            string? contentType = null;
            if (lane == OutboxLane.Events) EventBatchEncoder.Encode(slot.Writer, _topics.DcuId, batch.Seq, batch.Items);
            else
            {
                // Readings and billing values in the configured encoding (json, json-deflate, compact), named by its MQTT 5 content type.
                _encoding.EncodeReadings(slot.Buffer, _topics.DcuId, batch.Seq, batch.Items);
                contentType = _encoding.ContentType;
            }
            if (_awaiting.ContainsKey(batch.Seq))
            {
                Interlocked.Increment(ref _republished);
                _logger.LogInformation("No DCP ack for batch {Seq} within {Timeout}; publishing it again", batch.Seq, _options.DcpAckTimeout);
            }
            publishes[i] = PublishOneAsync(new UplinkMessage(topic, slot.Buffer.WrittenMemory) { ContentType = contentType }, cancellationToken);
        }
        await Task.WhenAll(publishes).ConfigureAwait(false);

        var pubacked = new List<SeqRange>(batches.Count);
        long items = 0;
        var deadline = _time.GetTimestamp() + (long)(_options.DcpAckTimeout.TotalSeconds * _time.TimestampFrequency);
        for (var i = 0; i < batches.Count; i++)
        {
            if (!publishes[i].Result) continue;
            pubacked.Add(SeqRange.Single(batches[i].Seq));
            items += batches[i].Items.Length;
            if (_options.RequireDcpAck) _awaiting[batches[i].Seq] = deadline;
        }
        Volatile.Write(ref _awaitingCount, _awaiting.Count);
        if (pubacked.Count > 0)
        {
            // Counted first: they are acknowledged even if we are stopped while waiting for the finish.
            Interlocked.Add(ref _batches, pubacked.Count);
            if (lane == OutboxLane.Events) Interlocked.Add(ref _events, items);
            else if (lane == OutboxLane.Billing) Interlocked.Add(ref _billing, items);
            else Interlocked.Add(ref _readings, items);
            if (!_options.RequireDcpAck)
            {
                // Queued to the outbox writer at once but awaited only after the next wave's OpenBatches is queued too, so
                // both share one writer commit; until then the next peek leaves these seqs out.
                _finishing = _outbox.FinishBatchesAsync(pubacked, cancellationToken);
                foreach (var r in pubacked) _finishingSeqs.Add(r.From);
            }
        }
        return pubacked.Count == batches.Count;
    }

    private async Task<bool> PublishOneAsync(UplinkMessage message, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (await _uplink.PublishAsync(message, linked.Token).ConfigureAwait(false)) return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("No PUBACK on {Topic} within {Timeout}", message.Topic, _options.PublishTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Publish on {Topic} threw", message.Topic);
        }
        Interlocked.Increment(ref _failed);
        return false;
    }

    private TimeSpan Backoff(int failures)
    {
        var min = _options.RetryBackoffMin.TotalMilliseconds;
        var ms = Math.Min(_options.RetryBackoffMax.TotalMilliseconds, min * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds(ms * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    /// <summary>A reusable payload buffer and JSON writer for one in-flight batch.</summary>
    private sealed class Slot
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(64 * 1024);

        public Utf8JsonWriter Writer { get; }

        public Slot() => Writer = new Utf8JsonWriter(Buffer, new JsonWriterOptions { SkipValidation = true });

        public void Reset()
        {
            Buffer.ResetWrittenCount();
            Writer.Reset(Buffer);
        }
    }
}
