using System.Text.Json;
using Dcu.Core.Commands;
using Dcu.Core.Outbox;

namespace Dcu.Core.Tests.Outbox;

public sealed class ResendCommandHandlerTests
{
    private static CommandArgs Args(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    [Fact]
    public void Parses_a_seq_range_or_meters_and_a_time_range()
    {
        var bySeq = ResendCommandHandler.Parse(Args("""{"seqFrom":12,"seqTo":20}"""));
        Assert.Equal(new SeqRange(12, 20), bySeq.Seqs);
        var byTime = ResendCommandHandler.Parse(Args("""{"meters":["m1","m2"],"from":1000,"to":2000}"""));
        Assert.Null(byTime.Seqs);
        Assert.Equal(["m1", "m2"], byTime.Meters!.Order());
        Assert.Equal((1000L, 2000L), (byTime.FromUnixMs, byTime.ToUnixMs));
        var all = ResendCommandHandler.Parse(Args("""{"from":0,"to":86400000}"""));
        Assert.Null(all.Meters);
    }

    [Theory]
    [InlineData("""{}""", "give seqFrom and seqTo")]
    [InlineData("""{"seqFrom":5}""", "args.seqTo is required")]
    [InlineData("""{"seqFrom":5,"seqTo":4}""", "args.seqFrom (5) is after args.seqTo (4)")]
    [InlineData("""{"seqFrom":0,"seqTo":4}""", "args.seqFrom must be")]
    [InlineData("""{"seqFrom":1,"seqTo":2,"from":1,"to":2}""", "not both")]
    [InlineData("""{"from":2000,"to":1000}""", "args.from (2000) is after args.to (1000)")]
    [InlineData("""{"from":0,"to":2678400001}""", "args.to: the range spans more than 31 days")]
    [InlineData("""{"meters":["m1"],"from":1}""", "args.to is required")]
    [InlineData("""{"meters":[],"from":1,"to":2}""", "args.meters must not be empty")]
    [InlineData("""{"meters":["m1"],"from":1,"to":2,"lane":"x"}""", "args.lane is not a field")]
    [InlineData("""{"from":"yesterday","to":2}""", "args.from must be an integer")]
    public void Refuses_bad_args_naming_the_field(string json, string reason)
    {
        var ex = Assert.Throws<CommandRejectedException>(() => ResendCommandHandler.Parse(Args(json)));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public async Task Refuses_before_touching_the_history_and_reports_the_count()
    {
        var history = new CountingHistory();
        var handler = new ResendCommandHandler(history);
        Assert.Equal("resend", handler.Name);
        Assert.False(handler.Destructive);
        await Assert.ThrowsAsync<CommandRejectedException>(() => handler.ExecuteAsync(new CommandRequest("c1", "resend", long.MaxValue, Args("""{"seqFrom":3}""")), default));
        Assert.Empty(history.Queries);
        var outcome = await handler.ExecuteAsync(new CommandRequest("c2", "resend", long.MaxValue, Args("""{"seqFrom":3,"seqTo":4}""")), default);
        Assert.Equal(CommandStatus.Accepted, outcome.Status);
        Assert.Equal(42, (int)outcome.Data!["queued"]!);
        Assert.Equal(new SeqRange(3, 4), Assert.Single(history.Queries).Seqs);
    }

    private sealed class CountingHistory : ISentHistory
    {
        public List<SentQuery> Queries { get; } = [];

        public Task<int> ResendAsync(SentQuery query, CancellationToken cancellationToken)
        {
            Queries.Add(query);
            return Task.FromResult(42);
        }
    }
}
