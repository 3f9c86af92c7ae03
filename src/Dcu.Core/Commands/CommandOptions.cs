using System.Globalization;

namespace Dcu.Core.Commands;

/// <summary>Options of the "Commands" configuration section (the command dispatcher).</summary>
public sealed class CommandOptions
{
    public const string SectionName = "Commands";

    /// <summary>Shortest signing key accepted, in bytes (HMAC-SHA256 wants at least its output size).</summary>
    public const int MinKeyBytes = 16;

    /// <summary>
    /// HMAC-SHA256 key shared with the DCP, as hex or base64 (at least 16 bytes). A secret: never
    /// logged, masked in config.get. Set it through the environment (DCU_Commands__SigningKey), not in the file.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Which commands must be signed; unset = Destructive when a key is set, None otherwise.</summary>
    public SignaturePolicy? RequireSignature { get; set; }

    /// <summary>A running command is cancelled after this long and answered "timed out".</summary>
    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A command expiring further ahead is refused: it bounds how long ids are remembered.</summary>
    public TimeSpan MaxExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Commands executing at once; more wait in the queue.</summary>
    public int MaxConcurrent { get; set; } = 8;

    /// <summary>Commands waiting to execute; beyond it a command is refused ("busy").</summary>
    public int MaxQueued { get; set; } = 256;

    /// <summary>Command ids remembered (each until its expiry has passed); when full, new commands are refused.</summary>
    public int LedgerCapacity { get; set; } = 100_000;

    /// <summary>How long a stopping DCU waits for running commands before it cancels them.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    public SignaturePolicy EffectiveSignaturePolicy =>
        RequireSignature ?? (string.IsNullOrEmpty(SigningKey) ? SignaturePolicy.None : SignaturePolicy.Destructive);

    /// <summary>The key's bytes (hex when it is all hex digits of even length, else base64); null when unset or undecodable.</summary>
    public byte[]? DecodeSigningKey() => TryDecodeKey(SigningKey, out var key) ? key : null;

    /// <summary>Every problem, each naming its key; never the key's value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        const string S = SectionName;
        if (!string.IsNullOrEmpty(SigningKey))
        {
            if (!TryDecodeKey(SigningKey, out var key)) problems.Add($"{S}:SigningKey must be hex or base64");
            else if (key!.Length < MinKeyBytes) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:SigningKey must be at least {MinKeyBytes} bytes (got {key.Length})"));
        }
        else if (RequireSignature is SignaturePolicy.Destructive or SignaturePolicy.All)
            problems.Add($"{S}:RequireSignature is {RequireSignature} but {S}:SigningKey is not set");
        if (ExecutionTimeout < TimeSpan.FromSeconds(1) || ExecutionTimeout > TimeSpan.FromHours(24))
            problems.Add($"{S}:ExecutionTimeout must be 1 s..24 h (got {ExecutionTimeout})");
        if (MaxExpiry < TimeSpan.FromMinutes(1) || MaxExpiry > TimeSpan.FromDays(90))
            problems.Add($"{S}:MaxExpiry must be 1 min..90 days (got {MaxExpiry})");
        if (MaxConcurrent is < 1 or > 64) problems.Add($"{S}:MaxConcurrent must be 1..64 (got {MaxConcurrent})");
        if (MaxQueued is < 0 or > 100_000) problems.Add($"{S}:MaxQueued must be 0..100000 (got {MaxQueued})");
        if (LedgerCapacity is < 100 or > 10_000_000) problems.Add($"{S}:LedgerCapacity must be 100..10000000 (got {LedgerCapacity})");
        if (StopGrace < TimeSpan.Zero || StopGrace > TimeSpan.FromMinutes(5)) problems.Add($"{S}:StopGrace must be 0..5 min (got {StopGrace})");
        return problems;
    }

    private static bool TryDecodeKey(string? text, out byte[]? key)
    {
        key = null;
        if (string.IsNullOrEmpty(text)) return false;
        text = text.Trim();
        if (text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit))
        {
            key = Convert.FromHexString(text);
            return true;
        }
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var written)) return false;
        key = buffer[..written];
        return true;
    }
}
