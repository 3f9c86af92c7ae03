using System.Text.Json;
using Dcu.Core.Uplink;
using Dcu.Testing;

namespace Dcu.Core.Tests.Uplink;

public sealed class CommandResponderTests
{
    [Fact]
    public async Task Answers_every_command_valid_or_not()
    {
        var uplink = new FakeUplink();
        var topics = new Topics("d1");
        var responder = new CommandResponder(uplink, topics);
        using var cts = new CancellationTokenSource();
        var run = responder.RunAsync(cts.Token);

        uplink.SendCommand("dcu/d1/cmd/read-now", """{"id":"42","meters":["m1"]}""");
        uplink.SendCommand("dcu/d1/cmd/x", "{not json");
        uplink.SendCommand("dcu/d1/cmd/sync-clock", """{"id":7,"cmd":"sync-clock"}""");
        uplink.SendCommand("dcu/d1/cmd/y", "[1,2]");
        uplink.SendCommand("dcu/d1/cmd/z", "");
        await Eventually.TrueAsync(() => uplink.Log.Count == 5, "five results");
        await cts.CancelAsync();
        await run;

        var results = uplink.Log.OrderBy(p => p.Call).Select(p => { Assert.Equal("dcu/d1/cmd-result", p.Message.Topic); return JsonDocument.Parse(p.Message.Payload).RootElement; }).ToList();
        Assert.Equal("42", results[0].GetProperty("id").GetString());
        Assert.Equal("read-now", results[0].GetProperty("cmd").GetString());
        Assert.Equal("unsupported", results[0].GetProperty("status").GetString());
        Assert.Contains("read-now", results[0].GetProperty("reason").GetString(), StringComparison.Ordinal);

        Assert.Equal(JsonValueKind.Null, results[1].GetProperty("id").ValueKind);
        Assert.Equal("rejected", results[1].GetProperty("status").GetString());
        Assert.StartsWith("malformed JSON", results[1].GetProperty("reason").GetString(), StringComparison.Ordinal);

        Assert.Equal(7, results[2].GetProperty("id").GetInt32());
        Assert.Equal("unsupported", results[2].GetProperty("status").GetString());

        Assert.Equal("rejected", results[3].GetProperty("status").GetString());
        Assert.Equal("rejected", results[4].GetProperty("status").GetString());
        Assert.Equal(5, responder.Answered);
    }
}
