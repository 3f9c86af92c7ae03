using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dcu.Host.Technician;

/// <summary>
/// The console's stored password: <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;base64 salt&gt;$&lt;base64 hash&gt;</c>,
/// PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) of the UTF-8 password. The iteration count travels in the
/// string, so a stronger hash needs no code change; new hashes use <see cref="DefaultIterations"/>.
/// Verification compares in constant time.
/// </summary>
public sealed class ConsolePassword
{
    public const string Scheme = "pbkdf2-sha256";
    public const int DefaultIterations = 100_000;
    public const int MaxIterations = 10_000_000;
    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private ConsolePassword(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public int Iterations { get; }

    public ReadOnlySpan<byte> Salt => _salt;

    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt (or the one given, for test vectors).</summary>
    public static string Create(string password, int iterations = DefaultIterations, byte[]? salt = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        salt ??= RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations, HashBytes);
        return Format(iterations, salt, hash);
    }

    public static string Format(int iterations, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash) =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");

    /// <summary>Parses a hash string; throws <see cref="FormatException"/> saying what is wrong (never quoting the string).</summary>
    public static ConsolePassword Parse(string text) =>
        TryParse(text, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ConsolePassword? password, [NotNullWhen(false)] out string? error)
    {
        password = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "empty"; return false; }
        var parts = text.Split('$');
        if (parts.Length != 4) { error = $"expected 4 fields separated by '$' ({Scheme}$iterations$salt$hash), found {parts.Length}"; return false; }
        if (!string.Equals(parts[0], Scheme, StringComparison.Ordinal)) { error = $"the scheme must be {Scheme}"; return false; }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > MaxIterations)
        {
            error = $"the iteration count must be a whole number 1..{MaxIterations}";
            return false;
        }
        if (!TryBase64(parts[2], out var salt) || salt.Length is < 4 or > 64) { error = "the salt must be 4..64 bytes in base64"; return false; }
        if (!TryBase64(parts[3], out var hash) || hash.Length is < 16 or > 64) { error = "the hash must be 16..64 bytes in base64"; return false; }
        password = new ConsolePassword(iterations, salt, hash);
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="candidate"/> is the password; the comparison takes the same time wherever it differs.</summary>
    public bool Verify(string candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var derived = Derive(candidate, _salt, Iterations, _hash.Length);
        return CryptographicOperations.FixedTimeEquals(derived, _hash);
    }

    private static byte[] Derive(string password, byte[] salt, int iterations, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(password);
        try { return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, HashAlgorithmName.SHA256, length); }
        finally { CryptographicOperations.ZeroMemory(bytes); }
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0) return false;
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var n)) return false;
        bytes = buffer[..n];
        return true;
    }
}
