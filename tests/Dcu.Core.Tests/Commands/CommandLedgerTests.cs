using Dcu.Core.Commands;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Commands;

public sealed class CommandLedgerTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1767225600000);

    [Fact]
    public void Seen_ids_survive_reopening_until_their_retention_passes()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(Start);
        var now = Start.ToUnixTimeMilliseconds();
        using (var ledger = CommandLedger.Open(dir.File("ledger.jsonl"), 100, time))
        {
            Assert.Equal(LedgerAdmission.Begun, ledger.TryBegin("a", "x", now + 60_000));
            ledger.Complete("a", CommandStatus.Done);
            Assert.Equal(LedgerAdmission.Begun, ledger.TryBegin("b", "x", now + 120_000, CommandStatus.Failed));
            Assert.Equal(LedgerAdmission.Duplicate, ledger.TryBegin("a", "x", now + 60_000));
        }
        using (var reopened = CommandLedger.Open(dir.File("ledger.jsonl"), 100, time))
        {
            Assert.True(reopened.Contains("a"));
            Assert.True(reopened.Contains("b"));
            Assert.Empty(reopened.Interrupted);
            Assert.Equal(LedgerAdmission.Duplicate, reopened.TryBegin("b", "x", now + 120_000));
        }
        time.Advance(TimeSpan.FromSeconds(90));
        using (var later = CommandLedger.Open(dir.File("ledger.jsonl"), 100, time))
        {
            Assert.False(later.Contains("a"));
            Assert.True(later.Contains("b"));
            Assert.Single(File.ReadAllLines(dir.File("ledger.jsonl")));
        }
    }

    [Fact]
    public void Begun_without_a_result_is_reported_interrupted_and_kept()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(Start);
        using (var ledger = CommandLedger.Open(dir.File("l.jsonl"), 100, time))
        {
            ledger.TryBegin("running", "relay.open", Start.ToUnixTimeMilliseconds() + 1000);
            ledger.TryBegin("done", "x", Start.ToUnixTimeMilliseconds() + 1000);
            ledger.Complete("done", CommandStatus.Done);
        }
        time.Advance(TimeSpan.FromHours(1)); // past its retention: an undecided command is still reported
        using var reopened = CommandLedger.Open(dir.File("l.jsonl"), 100, time);

        var e = Assert.Single(reopened.Interrupted);
        Assert.Equal(("running", "relay.open"), (e.Id, e.Name));
        Assert.True(reopened.Contains("running"));
        Assert.False(reopened.Contains("done"));
    }

    [Fact]
    public void A_torn_last_line_is_skipped()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(Start);
        var path = dir.File("l.jsonl");
        using (var ledger = CommandLedger.Open(path, 100, time)) ledger.TryBegin("a", "x", Start.ToUnixTimeMilliseconds() + 1000, CommandStatus.Done);
        File.AppendAllText(path, "{\"b\":\"tor");

        using var reopened = CommandLedger.Open(path, 100, time);

        Assert.True(reopened.Contains("a"));
        Assert.Equal(1, reopened.Count);
        Assert.DoesNotContain("tor", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void It_is_bounded_and_forgets_only_ids_past_their_retention()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(Start);
        var now = Start.ToUnixTimeMilliseconds();
        using var ledger = CommandLedger.Open(dir.File("l.jsonl"), 3, time);
        ledger.TryBegin("short", "x", now + 1000, CommandStatus.Done);
        ledger.TryBegin("long1", "x", now + 100_000, CommandStatus.Done);
        ledger.TryBegin("long2", "x", now + 100_000, CommandStatus.Done);

        Assert.Equal(LedgerAdmission.Full, ledger.TryBegin("new", "x", now + 100_000));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(LedgerAdmission.Begun, ledger.TryBegin("new", "x", now + 100_000));
        Assert.False(ledger.Contains("short"));
        Assert.True(ledger.Contains("long1"));
    }

    [Fact]
    public void The_file_is_compacted_as_it_grows()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(Start);
        var path = dir.File("l.jsonl");
        using var ledger = CommandLedger.Open(path, 100_000, time);
        for (var i = 0; i < 1500; i++)
        {
            ledger.TryBegin($"c{i}", "x", Start.ToUnixTimeMilliseconds() + 1000);
            ledger.Complete($"c{i}", CommandStatus.Done);
        }

        // 3000 records appended; compaction rewrote them as one line per id at least once.
        Assert.True(File.ReadAllLines(path).Length < 2500);
        ledger.Dispose();
        File.Copy(path, path + ".2");
        using var second = CommandLedger.Open(path + ".2", 100_000, time);
        Assert.Equal(1500, second.Count);
        Assert.Empty(second.Interrupted);
    }
}
