using System.Buffers;
using System.Text.Json;
using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Uplink;

/// <summary>
/// Drains the outbox to the DCP: wait until connected, take the oldest items (events lane first),
/// encode them in batches, publish at QoS 1, and remove a batch's ids only after its own PUBACK.
/// <para>
/// Pipelining works in waves: up to <see cref="UplinkPublisherOptions.MaxInFlight"/> batches of
/// the oldest items are published concurrently; when all have completed, the ids of the
/// acknowledged ones are removed in one outbox transaction. A refused, failed or timed-out batch
/// is not removed: after a back-off the next wave peeks the oldest items again, so the SAME items
/// are re-sent (at-least-once; batches acknowledged in the same wave may thus arrive ahead of it,
/// and the DCP orders and de-duplicates by reading identity). A wave's payloads live in buffers
/// owned by the publisher and reused by the next wave, so an <see cref="IUplink"/> must not keep a
/// message's payload after <see cref="IUplink.PublishAsync"/> has completed (copy it if needed).
/// </para>
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
    private readonly Lock _rateLock = new();
    private long _batches;
    private long _readings;
    private long _events;
    private long _failed;
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

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var perWave = checked(_options.BatchSize * _options.MaxInFlight);
        try
        {
            while (true)
            {
                await _uplink.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
                var appended = _outbox.NextAppend(); // taken before peeking: no commit is missed
                var lane = OutboxLane.Events;
                var records = _outbox.PeekOldest(lane, perWave);
                if (records.Length == 0)
                {
                    lane = OutboxLane.Readings;
                    records = _outbox.PeekOldest(lane, perWave);
                }
                if (records.Length == 0)
                {
                    await WaitForAppendAsync(appended, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await PublishWaveAsync(lane, records, cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                    continue;
                }
                failures++;
                var delay = Backoff(failures);
                _logger.LogWarning("Publishing {Lane} failed ({Failures} in a row); retrying the same items in {Delay}", lane, failures, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping. Unacknowledged items stay in the outbox for the next run.
        }
    }

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
        return new PublishStats(Interlocked.Read(ref _batches), readings, Interlocked.Read(ref _events), Interlocked.Read(ref _failed), rate);
    }

    private async Task WaitForAppendAsync(Task appended, CancellationToken cancellationToken)
    {
        try
        {
            await appended.WaitAsync(_options.IdleRecheck, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Fallback re-check; the commit signal is the normal wake-up.
        }
    }

    private async Task<bool> PublishWaveAsync(OutboxLane lane, OutboxRecord[] records, CancellationToken cancellationToken)
    {
        var size = _options.BatchSize;
        var count = (records.Length + size - 1) / size;
        var topic = lane == OutboxLane.Events ? _topics.Events : _topics.Readings;
        var publishes = new Task<bool>[count];
        for (var i = 0; i < count; i++)
        {
            var batch = records.AsSpan(i * size, Math.Min(size, records.Length - (i * size)));
            var slot = _slots[i];
            slot.Reset();
            if (lane == OutboxLane.Events) EventBatchEncoder.Encode(slot.Writer, _topics.DcuId, batch);
            else ReadingBatchEncoder.Encode(slot.Writer, _topics.DcuId, batch);
            publishes[i] = PublishOneAsync(new UplinkMessage(topic, slot.Buffer.WrittenMemory), cancellationToken);
        }
        await Task.WhenAll(publishes).ConfigureAwait(false);

        var acked = new List<long>(records.Length);
        var ackedBatches = 0;
        for (var i = 0; i < count; i++)
        {
            if (!publishes[i].Result) continue;
            ackedBatches++;
            for (var j = i * size; j < Math.Min(records.Length, (i + 1) * size); j++) acked.Add(records[j].Id);
        }
        if (acked.Count > 0)
        {
            // Counted first: they are acknowledged even if we are stopped while waiting for the remove.
            Interlocked.Add(ref _batches, ackedBatches);
            Interlocked.Add(ref lane == OutboxLane.Events ? ref _events : ref _readings, acked.Count);
            // Queued to the outbox writer at once; awaiting it makes the next peek see the removal.
            await _outbox.RemoveAsync(lane, acked, cancellationToken).ConfigureAwait(false);
        }
        return ackedBatches == count;
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
