namespace Dcu.Core.Outbox;

/// <summary>Settings of the durable outbox (<see cref="ReadingOutbox"/>).</summary>
public sealed class OutboxOptions
{
    /// <summary>Path of the LiteDB file, e.g. "/var/lib/dcu/outbox.db". Its directory is created if missing.</summary>
    public string Path { get; set; } = "outbox.db";

    /// <summary>Most items (all lanes) kept; beyond it the oldest readings are evicted first, then billing, then events, results last.</summary>
    public long MaxItems { get; set; } = 1_000_000;

    /// <summary>Most queued items committed in one transaction.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Capacity of the bounded append queue; appends wait (backpressure) when it is full.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// While evicting continuously, at most one <c>outbox_eviction</c> event per interval, carrying
    /// the count since the previous one (so a full outbox does not fill itself with eviction events).
    /// </summary>
    public TimeSpan EvictionEventInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between retries while writes fail (the wait doubles from 100 ms up to this).</summary>
    public TimeSpan WriteRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Days a finished batch's items (readings, billing, events) are kept in the sent history, for a
    /// resend command; 0 keeps none. Pruned by the writer loop.
    /// </summary>
    public int KeepSentDays { get; set; } = 2;

    /// <summary>Most items in the sent history; beyond it the oldest are dropped.</summary>
    public long MaxSentItems { get; set; } = 1_000_000;

    /// <summary>How often the writer prunes the sent history by age.</summary>
    public TimeSpan SentPruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal bool KeepsHistory => KeepSentDays > 0 && MaxSentItems > 0;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("Outbox Path must be set.", nameof(Path));
        if (MaxItems < 2) throw new ArgumentOutOfRangeException(nameof(MaxItems), MaxItems, "MaxItems must be at least 2.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "QueueCapacity must be at least 1.");
        if (EvictionEventInterval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(EvictionEventInterval));
        if (WriteRetryMaxDelay <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WriteRetryMaxDelay), WriteRetryMaxDelay, "WriteRetryMaxDelay must be positive.");
        if (KeepSentDays is < 0 or > 366) throw new ArgumentOutOfRangeException(nameof(KeepSentDays), KeepSentDays, "KeepSentDays must be 0..366.");
        if (MaxSentItems < 0) throw new ArgumentOutOfRangeException(nameof(MaxSentItems), MaxSentItems, "MaxSentItems must not be negative.");
        if (SentPruneInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(SentPruneInterval), SentPruneInterval, "SentPruneInterval must be positive.");
    }
}
