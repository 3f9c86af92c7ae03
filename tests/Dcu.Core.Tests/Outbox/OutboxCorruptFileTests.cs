using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Outbox;

/// <summary>A corrupt outbox file must not keep the DCU from starting: it is moved aside, logged, and reported upstream.</summary>
public sealed class OutboxCorruptFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));

    public void Dispose() => _dir.Dispose();

    private string DbPath => _dir.File("outbox.db");

    [Fact]
    public async Task Garbage_file_is_moved_aside_and_a_fresh_outbox_reports_it()
    {
        var garbage = new byte[40_000];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(DbPath, garbage);

        await AssertRecoveredAsync(garbage.Length);
    }

    [Fact]
    public async Task Truncated_file_is_moved_aside_and_a_fresh_outbox_reports_it()
    {
        await using (var outbox = new ReadingOutbox(new OutboxOptions { Path = DbPath }))
        {
            for (var i = 0; i < 3000; i++) await outbox.AppendAsync(Reading(i), default);
        } // closed cleanly: everything is checkpointed into the data file
        var length = new FileInfo(DbPath).Length;
        using (var f = new FileStream(DbPath, FileMode.Open)) f.SetLength(length / 3);

        await AssertRecoveredAsync(length / 3);
    }

    [Fact]
    public async Task Garbage_log_does_not_stop_the_start_and_the_data_file_is_kept()
    {
        await using (var outbox = new ReadingOutbox(new OutboxOptions { Path = DbPath }))
        {
            for (var i = 0; i < 10; i++) await outbox.AppendAsync(Reading(i), default);
        } // checkpointed: the data file holds the 10 readings
        var garbage = new byte[8192 * 3 + 100];
        new Random(8).NextBytes(garbage);
        await File.WriteAllBytesAsync(OutboxStore.LogPathOf(DbPath), garbage);

        // LiteDB replays only confirmed transactions from the -log, so garbage there is ignored: better than moving the good data file aside.
        await using var reopened = new ReadingOutbox(new OutboxOptions { Path = DbPath }, _time);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Reading(i)), reopened.PeekOldest(OutboxLane.Readings, 100).Select(r => r.Reading));
        await reopened.AppendAsync(Reading(10), default);
        await reopened.FlushAsync(default);
        Assert.Equal(11, reopened.PeekOldest(OutboxLane.Readings, 100).Length);
    }

    private async Task AssertRecoveredAsync(long? movedLength, bool logToo = false)
    {
        var logger = new CollectingLogger<ReadingOutbox>();
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = DbPath }, _time, logger);

        var stamp = "20260101T000000Z";
        var aside = $"{DbPath}.corrupt-{stamp}";
        Assert.True(File.Exists(aside), $"expected {aside}; files: {string.Join(", ", Directory.GetFiles(_dir.Path).Select(Path.GetFileName))}");
        // Moved as found, except that LiteDB, failing to open a file whose header is fine, may first trim a partial last page.
        if (movedLength is { } n) Assert.InRange(new FileInfo(aside).Length, n / 8192 * 8192, n);
        if (logToo) Assert.True(File.Exists($"{OutboxStore.LogPathOf(DbPath)}.corrupt-{stamp}"));

        var error = Assert.Single(logger.At(LogLevel.Error));
        Assert.Contains(aside, error, StringComparison.Ordinal);

        var recovered = Assert.Single(outbox.PeekOldest(OutboxLane.Events, 10)).Event!;
        Assert.Equal(OutboxEventKinds.OutboxRecovered, recovered.Kind);
        Assert.Null(recovered.Meter);
        Assert.Equal(T0, recovered.UnixMs);
        Assert.Contains(Path.GetFileName(aside), recovered.Detail, StringComparison.Ordinal);
        Assert.Empty(outbox.PeekOldest(OutboxLane.Readings, 10));

        // The fresh outbox works.
        await outbox.AppendAsync(Reading(1), default);
        await outbox.FlushAsync(default);
        Assert.Equal(Reading(1), Assert.Single(outbox.PeekOldest(OutboxLane.Readings, 10)).Reading);
        Assert.Equal(1, outbox.GetStats().EventsDepth);
    }
}
