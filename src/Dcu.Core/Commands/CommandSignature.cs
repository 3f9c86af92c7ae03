using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dcu.Core.Commands;

/// <summary>
/// The HMAC of a command (docs/mqtt-contract.md, "Signing"): lowercase hex of
/// HMAC-SHA256(key, UTF-8 of id "\n" name "\n" expires (decimal) "\n" followed by the exact bytes of
/// the "args" value as it appears in the payload, nothing when absent). It binds the id (so the
/// ledger stops replays), the command, the expiry (so an old command cannot be replayed once its id
/// is forgotten) and the arguments byte for byte (no canonical JSON to agree on).
/// </summary>
public static class CommandSignature
{
    public const int HexLength = 64;

    public static string Compute(ReadOnlySpan<byte> key, string id, string name, long expiresUnixMs, ReadOnlySpan<byte> argsRaw) =>
        Convert.ToHexStringLower(Mac(key, id, name, expiresUnixMs, argsRaw));

    /// <summary>True when <paramref name="signature"/> is the command's HMAC; compared in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, CommandEnvelope envelope, string signature)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(signature);
        Span<byte> given = stackalloc byte[HexLength / 2];
        if (signature.Length != HexLength || Convert.FromHexString(signature, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
            return false;
        var expected = Mac(key, envelope.Id, envelope.Name, envelope.ExpiresUnixMs, envelope.ArgsRaw.Span);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[] Mac(ReadOnlySpan<byte> key, string id, string name, long expiresUnixMs, ReadOnlySpan<byte> argsRaw)
    {
        var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}\n{name}\n{expiresUnixMs}\n"));
        var message = new byte[head.Length + argsRaw.Length];
        head.CopyTo(message, 0);
        argsRaw.CopyTo(message.AsSpan(head.Length));
        return HMACSHA256.HashData(key, message);
    }
}
