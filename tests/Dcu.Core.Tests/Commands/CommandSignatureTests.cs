using System.Text;
using Dcu.Core.Commands;

namespace Dcu.Core.Tests.Commands;

public sealed class CommandSignatureTests
{
    // The worked example of docs/mqtt-contract.md ("Signing"); the expected hex was computed with Python's hmac module.
    public const string ExampleKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    public const string ExamplePayload = """{"id":"c-42","cmd":"config.set","expires":1767225600000,"args":{"changes":{"Dcu:HeartbeatInterval":"00:00:30"}},"sig":"ff3dc56ff0152c65e84d0d93470a615b9009b10959ffdee1b2fabe607140c87b"}""";
    public const string ExampleSignature = "ff3dc56ff0152c65e84d0d93470a615b9009b10959ffdee1b2fabe607140c87b";

    private static CommandEnvelope Envelope(string payload, string name) => CommandEnvelope.Parse(Encoding.UTF8.GetBytes(payload), name).Envelope!;

    [Fact]
    public void The_documented_example_verifies()
    {
        var key = Convert.FromHexString(ExampleKeyHex);
        var e = Envelope(ExamplePayload, "config.set");

        Assert.Equal(ExampleSignature, CommandSignature.Compute(key, e.Id, e.Name, e.ExpiresUnixMs, e.ArgsRaw.Span));
        Assert.True(CommandSignature.Verify(key, e, e.Signature!));
        Assert.True(CommandSignature.Verify(key, e, ExampleSignature.ToUpperInvariant()));
    }

    [Fact]
    public void Without_args_the_message_ends_after_the_expiry_line()
    {
        var key = Convert.FromHexString(ExampleKeyHex);
        var e = Envelope("""{"id":"c-43","expires":1767225600000}""", "config.get");

        Assert.Equal("0af014bcc88ee3085ab47b7fc7667ce0478578d2ada23f6ea78b993b81973a56", CommandSignature.Compute(key, e.Id, e.Name, e.ExpiresUnixMs, e.ArgsRaw.Span));
    }

    [Theory]
    [InlineData("whitespace in args", """{"id":"c-42","expires":1767225600000,"args":{"changes": {"Dcu:HeartbeatInterval":"00:00:30"}}}""", "config.set")]
    [InlineData("other id", """{"id":"c-41","expires":1767225600000,"args":{"changes":{"Dcu:HeartbeatInterval":"00:00:30"}}}""", "config.set")]
    [InlineData("other expiry", """{"id":"c-42","expires":1767225600001,"args":{"changes":{"Dcu:HeartbeatInterval":"00:00:30"}}}""", "config.set")]
    [InlineData("other command", """{"id":"c-42","expires":1767225600000,"args":{"changes":{"Dcu:HeartbeatInterval":"00:00:30"}}}""", "config.get")]
    [InlineData("other value", """{"id":"c-42","expires":1767225600000,"args":{"changes":{"Dcu:HeartbeatInterval":"00:00:31"}}}""", "config.set")]
    public void Any_change_breaks_the_signature(string what, string payload, string name)
    {
        var key = Convert.FromHexString(ExampleKeyHex);
        Assert.False(CommandSignature.Verify(key, Envelope(payload, name), ExampleSignature), what);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ff3d")]
    [InlineData("zz3dc56ff0152c65e84d0d93470a615b9009b10959ffdee1b2fabe607140c87b")]
    [InlineData("ff3dc56ff0152c65e84d0d93470a615b9009b10959ffdee1b2fabe607140c87b00")]
    public void Malformed_signatures_do_not_verify(string sig)
    {
        var key = Convert.FromHexString(ExampleKeyHex);
        Assert.False(CommandSignature.Verify(key, Envelope(ExamplePayload, "config.set"), sig));
    }

    [Fact]
    public void A_wrong_key_does_not_verify()
    {
        var key = Convert.FromHexString(ExampleKeyHex);
        key[0] ^= 1;
        Assert.False(CommandSignature.Verify(key, Envelope(ExamplePayload, "config.set"), ExampleSignature));
    }
}
