using System.Text;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;

namespace Dcu.Core.Tests.Uplink;

public sealed class DcpAckTests
{
    [Theory]
    [InlineData("""{"seq":[12,13]}""", "12-12,13-13")]
    [InlineData("""{"from":12,"to":20}""", "12-20")]
    [InlineData("""{"seq":[7],"from":12,"to":20,"dcu":"d1","note":{"x":[1]}}""", "7-7,12-20")]
    [InlineData("""{"to":5,"from":5}""", "5-5")]
    public void Accepts_seq_lists_and_ranges(string json, string expected)
    {
        Assert.True(DcpAck.TryParse(Encoding.UTF8.GetBytes(json), out var ranges, out var error), error);
        Assert.Equal(expected, string.Join(",", ranges.Select(r => $"{r.From}-{r.To}")));
    }

    [Theory]
    [InlineData("", "malformed JSON")]
    [InlineData("not json", "malformed JSON")]
    [InlineData("[12]", "not a JSON object")]
    [InlineData("{}", "neither seq nor from/to")]
    [InlineData("""{"seq":[]}""", "seq must not be empty")]
    [InlineData("""{"seq":12}""", "seq must be an array")]
    [InlineData("""{"seq":[0]}""", "seq[0] must be an integer")]
    [InlineData("""{"seq":[1,-3]}""", "seq[1] must be an integer")]
    [InlineData("""{"seq":[1.5]}""", "seq[0] must be an integer")]
    [InlineData("""{"seq":["12"]}""", "seq[0] must be an integer")]
    [InlineData("""{"seq":[9007199254740993]}""", "seq[0] must be an integer")]
    [InlineData("""{"from":3}""", "from and to must be given together")]
    [InlineData("""{"from":5,"to":3}""", "from (5) is after to (3)")]
    [InlineData("""{"from":"1","to":3}""", "from must be an integer")]
    [InlineData("""{"seq":[1],"seq":[2]}""", "seq is given twice")]
    [InlineData("""{"seq":[1]""", "malformed JSON")]
    [InlineData("""{"seq":[1]} {}""", "malformed JSON")]
    public void Refuses_garbage_saying_why(string json, string reason)
    {
        Assert.False(DcpAck.TryParse(Encoding.UTF8.GetBytes(json), out var ranges, out var error));
        Assert.Empty(ranges);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Refuses_oversized_payloads_and_too_many_seqs()
    {
        var many = "{\"seq\":[" + string.Join(",", Enumerable.Range(1, DcpAck.MaxSeqs + 1)) + "]}";
        Assert.False(DcpAck.TryParse(Encoding.UTF8.GetBytes(many), out _, out var error));
        Assert.Contains("more than 1000 entries", error);
        var big = new byte[DcpAck.MaxPayloadBytes + 1];
        Assert.False(DcpAck.TryParse(big, out _, out error));
        Assert.Contains("larger than", error);
        Assert.True(new SeqRange(3, 5).Contains(5) && !new SeqRange(3, 5).Contains(6));
    }
}
