using System.Text;
using Dcu.Core.Commands;

namespace Dcu.Core.Tests.Commands;

public sealed class CommandEnvelopeTests
{
    private static EnvelopeParseResult Parse(string payload, string? topicName = "tasks.add") =>
        CommandEnvelope.Parse(Encoding.UTF8.GetBytes(payload), topicName);

    [Fact]
    public void A_full_command_parses_with_the_exact_args_text()
    {
        var r = Parse("""{"id":"c-1","cmd":"tasks.add","expires":1767225600000,"args":{ "a" : [1, 2.50] },"sig":"ab"}""");

        Assert.Null(r.Error);
        var e = r.Envelope!;
        Assert.Equal("c-1", e.Id);
        Assert.Equal("tasks.add", e.Name);
        Assert.Equal(1767225600000, e.ExpiresUnixMs);
        Assert.Equal("""{ "a" : [1, 2.50] }""", Encoding.UTF8.GetString(e.ArgsRaw.Span));
        Assert.Equal(2, e.Args.GetProperty("a").GetArrayLength());
        Assert.Equal("ab", e.Signature);
    }

    [Fact]
    public void Cmd_and_args_and_sig_are_optional()
    {
        var r = Parse("""{"id":"A.b_c:d-9","expires":5}""");

        Assert.Null(r.Error);
        Assert.Equal("tasks.add", r.Envelope!.Name);
        Assert.True(r.Envelope.ArgsRaw.IsEmpty);
        Assert.Null(r.Envelope.Signature);
    }

    // Each bad case: payload, topic name, whether the id is usable in the answer, what the error says.
    public static TheoryData<string, string, string?, bool, string> BadCases => new()
    {
        { "empty payload", "", "x", false, "empty payload" },
        { "not JSON", "{not json", "x", false, "malformed JSON" },
        { "truncated", """{"id":"c-1","expires":5""", "x", false, "malformed JSON" },
        { "array", "[1,2]", "x", false, "must be a JSON object" },
        { "string", "\"c-1\"", "x", false, "must be a JSON object" },
        { "null", "null", "x", false, "must be a JSON object" },
        { "too deep", "{\"id\":\"c-1\",\"expires\":5,\"args\":" + new string('[', 40) + new string(']', 40) + "}", "x", false, "malformed JSON" },
        { "duplicate field", """{"id":"c-1","id":"c-2","expires":5}""", "x", false, "malformed JSON" },
        { "duplicate args", """{"id":"c-1","expires":5,"args":{},"args":{"a":1}}""", "x", false, "malformed JSON" },
        { "no id", """{"expires":5}""", "x", false, "id is required" },
        { "numeric id", """{"id":7,"expires":5}""", "x", false, "id must be a string" },
        { "empty id", """{"id":"","expires":5}""", "x", false, "id must be a string" },
        { "id with space", """{"id":"c 1","expires":5}""", "x", false, "id must be a string" },
        { "id with slash", """{"id":"c/1","expires":5}""", "x", false, "id must be a string" },
        { "id too long", "{\"id\":\"" + new string('a', 65) + "\",\"expires\":5}", "x", false, "id must be a string" },
        { "unknown field", """{"id":"c-1","expires":5,"meters":["m1"]}""", "x", true, "'meters' is not a field" },
        { "cmd differs from topic", """{"id":"c-1","cmd":"relay.open","expires":5}""", "x", true, "does not match the topic's command name 'x'" },
        { "cmd not a string", """{"id":"c-1","cmd":1,"expires":5}""", "x", true, "cmd must be a string" },
        { "no command name in topic", """{"id":"c-1","expires":5}""", null, true, "the topic's command name" },
        { "two topic levels", """{"id":"c-1","expires":5}""", "a/b", true, "the topic's command name" },
        { "no expires", """{"id":"c-1"}""", "x", true, "expires is required" },
        { "expires as string", """{"id":"c-1","expires":"1767225600000"}""", "x", true, "expires must be a positive integer" },
        { "expires fractional", """{"id":"c-1","expires":1.5}""", "x", true, "expires must be a positive integer" },
        { "expires zero", """{"id":"c-1","expires":0}""", "x", true, "expires must be a positive integer" },
        { "expires negative", """{"id":"c-1","expires":-1}""", "x", true, "expires must be a positive integer" },
        { "expires huge", """{"id":"c-1","expires":1e30}""", "x", true, "expires must be a positive integer" },
        { "args array", """{"id":"c-1","expires":5,"args":[1]}""", "x", true, "args must be a JSON object" },
        { "args null", """{"id":"c-1","expires":5,"args":null}""", "x", true, "args must be a JSON object" },
        { "sig not a string", """{"id":"c-1","expires":5,"sig":12}""", "x", true, "sig must be a string" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void Bad_envelopes_are_refused_naming_the_field(string what, string payload, string? topicName, bool idUsable, string error)
    {
        var r = Parse(payload, topicName);

        Assert.True(r.Envelope is null, what);
        Assert.Contains(error, r.Error, StringComparison.Ordinal);
        if (idUsable) Assert.Equal("c-1", r.Id);
        else Assert.Null(r.Id);
    }

    [Fact]
    public void A_payload_over_64_KiB_is_refused_unread()
    {
        var big = "{\"id\":\"c-1\",\"expires\":5,\"args\":{\"a\":\"" + new string('x', 64 * 1024) + "\"}}";

        var r = Parse(big);

        Assert.Null(r.Id);
        Assert.Contains("larger than 65536 bytes", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_topic_name_is_not_echoed()
    {
        var r = Parse("garbage", "a/b/#");

        Assert.Null(r.Name);
        Assert.Equal("tasks.add", Parse("garbage").Name);
    }

    [Fact]
    public void Expiry_is_checked_against_the_clock_and_the_maximum()
    {
        var e = Parse("""{"id":"c-1","expires":1767225600000}""").Envelope!;
        var week = TimeSpan.FromDays(7);

        Assert.Null(e.CheckExpiry(1767225600000 - 1, week));
        Assert.StartsWith("expired at 2026-01-01T00:00:00.000Z", e.CheckExpiry(1767225600000, week), StringComparison.Ordinal);
        Assert.StartsWith("expired at", e.CheckExpiry(1767225600000 + 1, week), StringComparison.Ordinal);
        Assert.Null(e.CheckExpiry(1767225600000 - (long)week.TotalMilliseconds, week));
        Assert.Contains("more than 7.00:00:00 ahead", e.CheckExpiry(1767225600000 - (long)week.TotalMilliseconds - 1, week), StringComparison.Ordinal);
    }
}
