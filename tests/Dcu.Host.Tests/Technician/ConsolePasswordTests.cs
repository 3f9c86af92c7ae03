using System.Text;
using Dcu.Host.Technician;

namespace Dcu.Host.Tests.Technician;

public sealed class ConsolePasswordTests
{
    /// <summary>RFC 7914 section 11, PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1, dkLen=64).</summary>
    private static readonly byte[] Rfc7914 = Convert.FromHexString(
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");

    [Fact]
    public void The_RFC_7914_vector_verifies_through_the_hash_format()
    {
        var text = ConsolePassword.Format(1, "salt"u8, Rfc7914);
        Assert.Equal("pbkdf2-sha256$1$c2FsdA==$" + Convert.ToBase64String(Rfc7914), text);

        var parsed = ConsolePassword.Parse(text);

        Assert.Equal(1, parsed.Iterations);
        Assert.Equal("salt"u8.ToArray(), parsed.Salt.ToArray());
        Assert.True(parsed.Verify("passwd"));
        Assert.False(parsed.Verify("passwe"));
    }

    [Fact]
    public void A_hash_made_with_the_vector_salt_is_the_first_32_bytes_of_the_vector()
    {
        // PBKDF2's output blocks do not depend on dkLen: our 32-byte hash is the vector's first block.
        var made = ConsolePassword.Create("passwd", 1, Encoding.ASCII.GetBytes("salt"));

        Assert.Equal(ConsolePassword.Format(1, "salt"u8, Rfc7914.AsSpan(0, 32)), made);
    }

    [Fact]
    public void A_new_hash_uses_100000_iterations_a_random_salt_and_verifies_only_its_password()
    {
        var first = ConsolePassword.Create("correct horse ✓");
        var second = ConsolePassword.Create("correct horse ✓");

        Assert.NotEqual(first, second); // fresh salt each time
        Assert.StartsWith("pbkdf2-sha256$100000$", first, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", first, StringComparison.Ordinal);
        var parsed = ConsolePassword.Parse(first);
        Assert.Equal(ConsolePassword.SaltBytes, parsed.Salt.Length);
        Assert.Equal(ConsolePassword.HashBytes, parsed.Hash.Length);
        Assert.True(parsed.Verify("correct horse ✓"));
        Assert.False(parsed.Verify("correct horse"));
        Assert.False(parsed.Verify(""));
        Assert.True(ConsolePassword.Parse(second).Verify("correct horse ✓"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=", "4 fields")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==$x", "4 fields")]
    [InlineData("pbkdf2-sha1$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==", "scheme")]
    [InlineData("pbkdf2-sha256$0$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==", "iteration")]
    [InlineData("pbkdf2-sha256$-5$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==", "iteration")]
    [InlineData("pbkdf2-sha256$many$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==", "iteration")]
    [InlineData("pbkdf2-sha256$99999999$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA==", "iteration")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAAAAAAAAAAAAAAAAAAAA==", "salt")]
    [InlineData("pbkdf2-sha256$1000$$AAAAAAAAAAAAAAAAAAAAAA==", "salt")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAA", "hash")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$%%%", "hash")]
    public void Malformed_hash_strings_are_refused_saying_what_is_wrong(string text, string says)
    {
        Assert.False(ConsolePassword.TryParse(text, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(says, error, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => ConsolePassword.Parse(text));
        Assert.Equal(error, ex.Message);
    }
}
