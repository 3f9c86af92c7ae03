using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Testing;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Contract;

/// <summary>The schemas in docs/schemas load, accept what the encoders write, and refuse what the contract forbids.</summary>
public sealed class SchemaTests
{
    [Fact]
    public void Every_schema_file_loads()
    {
        Assert.NotEmpty(ContractSchemas.Files);
        foreach (var file in ContractSchemas.Files) _ = ContractSchemas.Violations(file, "{}"); // throws if the schema itself is broken
    }

    [Fact]
    public void Reading_batches_conform_including_flags_and_non_finite_values()
    {
        var records = new[]
        {
            new OutboxRecord(1, OutboxLane.Readings, Reading(1), null),
            new OutboxRecord(2, OutboxLane.Readings, Reading(2) with { Quality = ReadingQuality.Late | ReadingQuality.ClockInvalid }, null),
            new OutboxRecord(3, OutboxLane.Readings, Reading(3) with { Value = double.NaN }, null),
        };
        ContractSchemas.AssertValid("readings-batch.schema.json", System.Text.Encoding.UTF8.GetString(ReadingBatchEncoder.Encode("dcu-1", 1, records)));
    }

    [Fact]
    public void Event_batches_conform_for_meter_and_dcu_events()
    {
        var records = new[]
        {
            new OutboxRecord(7, OutboxLane.Events, null, Event(1)),
            new OutboxRecord(8, OutboxLane.Events, null, new MeterEvent(null, EventKinds.DcuStarted, T0, "started")),
        };
        ContractSchemas.AssertValid("events-batch.schema.json", System.Text.Encoding.UTF8.GetString(EventBatchEncoder.Encode("dcu-1", 7, records)));
    }

    [Fact]
    public async Task Status_and_the_last_will_conform()
    {
        using var dir = new Dcu.Core.Tests.Outbox.TempDir();
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = dir.File("s.db") });
        await outbox.AppendAsync(Reading(1), default);
        await outbox.FlushAsync(default);
        var options = new StatusReporterOptions { Version = "1.2.3", Link = () => new StatusReporterLink("cellular", "wwan0") };
        var status = new StatusReporter(new Dcu.Core.Tests.Uplink.FakeUplink(), new Topics("dcu-1"), outbox, options: options).BuildStatus();
        ContractSchemas.AssertValid("status.schema.json", System.Text.Encoding.UTF8.GetString(status));
        ContractSchemas.AssertValid("status.schema.json", System.Text.Encoding.UTF8.GetString(Topics.OfflinePayload.Span));
    }

    [Theory]
    [InlineData("readings-batch.schema.json", """{"dcu":"x","readings":[{"m":"a","q":"1.0.32.7.0","v":1,"u":"V","t":0,"rt":0}]}""", "seq")]
    [InlineData("readings-batch.schema.json", """{"dcu":"x","seq":1,"readings":[{"m":"a","q":"1.0.32.7","v":1,"u":"V","t":0,"rt":0}]}""", "pattern")]
    [InlineData("events-batch.schema.json", """{"dcu":"x","seq":1,"events":[{"k":"Bad Kind","t":0,"d":""}]}""", "pattern")]
    [InlineData("command.schema.json", """{"id":"c-1"}""", "expires")]
    [InlineData("command.schema.json", """{"id":"c 1","expires":1}""", "pattern")]
    [InlineData("command-result.schema.json", """{"id":"c-1","cmd":"read","status":"failed","ts":1}""", "reason")]
    [InlineData("command-result.schema.json", """{"id":"c-1","cmd":"read","status":"maybe","ts":1}""", "enum")]
    public void Forbidden_shapes_are_refused_with_a_named_violation(string schema, string json, string expected)
    {
        var problems = ContractSchemas.Violations(schema, json);
        Assert.NotEmpty(problems);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.OrdinalIgnoreCase));
    }
}
