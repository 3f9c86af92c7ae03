using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>The checks every encoding makes on a batch before writing a byte of it.</summary>
internal static class BatchRecords
{
    /// <summary>The reading of a record, or an error naming the record when it is of another lane.</summary>
    public static Reading ReadingOf(OutboxRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Reading ?? throw new ArgumentException($"Outbox record {record.Id} is not a reading.", nameof(record));
    }

    /// <summary>Refuses an empty batch or one holding a record that is not a reading.</summary>
    public static void RequireReadings(ReadOnlySpan<OutboxRecord> batch)
    {
        if (batch.IsEmpty) throw new ArgumentException("A batch holds at least one reading.", nameof(batch));
        foreach (var record in batch) ReadingOf(record);
    }
}
