using System.Globalization;
using System.Text.Json;
using Dcu.Testing;
using Xunit.Abstractions;

namespace Dcu.Host.Tests.Contract;

/// <summary>
/// Delivery beyond the broker, with paho as the DCP: with <c>Publisher:RequireDcpAck</c> a batch the DCP
/// does not acknowledge comes again with the same seq; once acknowledged it stops; and the DCP can ask
/// for a range of seqs again (resend), which arrives in new batches with the same reading identities.
/// </summary>
[Collection(EndToEnd.EndToEndCollection.Name)]
public sealed class DeliveryContractTests(ITestOutputHelper output)
{
    private sealed record Batch(string Topic, long Seq, string[] Keys);

    private static List<Batch> Batches(CommandSite site) =>
        site.Dcp.Messages.Where(m => m.Topic.EndsWith("/readings", StringComparison.Ordinal) && m.Payload is not null)
            .Select(m =>
            {
                using var doc = JsonDocument.Parse(m.Payload!);
                var keys = doc.RootElement.GetProperty("readings").EnumerateArray()
                    .Select(r => $"{r.GetProperty("m").GetString()}|{r.GetProperty("q").GetString()}|{r.GetProperty("t").GetInt64()}").ToArray();
                return new Batch(m.Topic, doc.RootElement.GetProperty("seq").GetInt64(), keys);
            }).ToList();

    [Fact]
    public async Task Unacknowledged_batches_come_again_with_their_seq_acknowledged_ones_stop_and_a_seq_range_can_be_asked_again()
    {
        await using var site = await CommandSite.StartAsync("ack", config =>
            config["Publisher"] = new { RequireDcpAck = true, DcpAckTimeout = "00:00:03", IdleRecheck = "00:00:00.500" });
        try
        {
            // The first batch is published, not acknowledged, and published again with the same seq and items.
            await Eventually.TrueAsync(() => Batches(site).Count > 0, "a readings batch\n" + site.Dcu.OutputText, TimeSpan.FromSeconds(30));
            var first = Batches(site)[0];
            await Eventually.TrueAsync(() => Batches(site).Count(b => b.Seq == first.Seq) >= 2, $"batch {first.Seq} again without a DCP ack\n" + site.Dcu.OutputText, TimeSpan.FromSeconds(30));
            Assert.All(Batches(site).Where(b => b.Seq == first.Seq), b => Assert.Equal(first.Keys, b.Keys));

            // Acknowledged (the DCP acks everything it has): no more copies of it.
            var ack = JsonSerializer.Serialize(new { seq = Batches(site).Select(b => b.Seq).Distinct().ToArray() });
            ContractSchemas.AssertValid("ack.schema.json", ack);
            await site.Dcp.PublishAsync($"dcu/{site.Id}/ack", ack);
            var copies = Batches(site).Count(b => b.Seq == first.Seq);
            var marker = await site.CallAsync("time.get"); // a round trip after the ack
            Assert.Equal("done", marker.GetProperty("status").GetString());
            await Task.Delay(TimeSpan.FromSeconds(4)); // longer than DcpAckTimeout: what we assert is that nothing happens
            Assert.Equal(copies, Batches(site).Count(b => b.Seq == first.Seq));

            // Ask for the acknowledged batch again: its readings come back in a new batch with a new seq.
            var resend = await site.CallAsync("resend", new { seqFrom = first.Seq, seqTo = first.Seq });
            Assert.Equal("accepted", resend.GetProperty("status").GetString());
            Assert.True(resend.GetProperty("data").GetProperty("queued").GetInt32() >= first.Keys.Length, resend.ToString());
            await Eventually.TrueAsync(() => Batches(site).Any(b => b.Seq > first.Seq && first.Keys.All(k => b.Keys.Contains(k)) && b.Keys.Intersect(first.Keys).Count() == first.Keys.Length),
                $"the readings of batch {first.Seq.ToString(CultureInfo.InvariantCulture)} again in a later batch\n" + site.Dcu.OutputText, TimeSpan.FromSeconds(30));
        }
        finally
        {
            output.WriteLine(site.Dcu.OutputText);
        }
    }
}
