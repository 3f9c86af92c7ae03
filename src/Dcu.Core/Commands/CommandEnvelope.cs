using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dcu.Core.Commands;

/// <summary>
/// A command as it arrives on <c>dcu/{id}/cmd/{name}</c> (docs/mqtt-contract.md, "Commands"):
/// <c>{"id":"c-1","cmd":"tasks.add","expires":1767225600000,"args":{...},"sig":"hex"}</c>.
/// <see cref="Parse"/> is pure: it checks the shape only; expiry is checked against a clock by <see cref="CheckExpiry"/>.
/// </summary>
/// <param name="Id">1..64 characters of [A-Za-z0-9._:-].</param>
/// <param name="Name">The command name (the topic's last level; "cmd" must equal it when present).</param>
/// <param name="ExpiresUnixMs">The command must not be acted on at or after this instant.</param>
/// <param name="Args">The "args" object, detached from the payload; default when absent.</param>
/// <param name="ArgsRaw">The exact UTF-8 text of "args" as it appeared in the payload (empty when absent): what the signature covers.</param>
/// <param name="Signature">The "sig" text, or null when absent.</param>
public sealed record CommandEnvelope(string Id, string Name, long ExpiresUnixMs, JsonElement Args, ReadOnlyMemory<byte> ArgsRaw, string? Signature)
{
    /// <summary>Larger payloads are refused unread.</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    /// <summary>Deeper JSON is refused (args hold records, not trees).</summary>
    public const int MaxDepth = 32;

    public const int MaxIdLength = 64;

    public const int MaxNameLength = 64;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Parses one command message. Never throws for bad input: the error names the field.</summary>
    /// <param name="topicName">The topic level(s) after <c>dcu/{id}/cmd/</c>.</param>
    public static EnvelopeParseResult Parse(ReadOnlyMemory<byte> payload, string? topicName)
    {
        var name = IsValidName(topicName) ? topicName : null;
        if (payload.Length > MaxPayloadBytes)
            return EnvelopeParseResult.Fail(null, name, string.Create(CultureInfo.InvariantCulture, $"command larger than {MaxPayloadBytes} bytes ({payload.Length})"));
        if (payload.Length == 0) return EnvelopeParseResult.Fail(null, name, "empty payload: a command is a JSON object");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload, ParseOptions);
        }
        catch (JsonException ex)
        {
            return EnvelopeParseResult.Fail(null, name, $"malformed JSON: {Trim(ex.Message)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return EnvelopeParseResult.Fail(null, name, "a command must be a JSON object");

            // The id first: every later error can then be answered with it.
            if (!root.TryGetProperty("id", out var idValue)) return EnvelopeParseResult.Fail(null, name, "id is required");
            if (idValue.ValueKind != JsonValueKind.String || !IsValidId(idValue.GetString()))
                return EnvelopeParseResult.Fail(null, name, $"id must be a string of 1..{MaxIdLength} characters A-Z a-z 0-9 . _ : -");
            var id = idValue.GetString()!;

            foreach (var p in root.EnumerateObject())
                if (p.Name is not ("id" or "cmd" or "expires" or "args" or "sig"))
                    return EnvelopeParseResult.Fail(id, name, $"'{Trim(p.Name, 64)}' is not a field of a command (known: id, cmd, expires, args, sig)");

            if (topicName is null || name is null)
                return EnvelopeParseResult.Fail(id, null, $"the topic's command name must be 1..{MaxNameLength} characters A-Z a-z 0-9 . _ - (one topic level)");
            if (root.TryGetProperty("cmd", out var cmd))
            {
                if (cmd.ValueKind != JsonValueKind.String) return EnvelopeParseResult.Fail(id, name, "cmd must be a string");
                if (!string.Equals(cmd.GetString(), name, StringComparison.Ordinal))
                    return EnvelopeParseResult.Fail(id, name, $"cmd '{Trim(cmd.GetString()!, 64)}' does not match the topic's command name '{name}'");
            }

            if (!root.TryGetProperty("expires", out var expiresValue)) return EnvelopeParseResult.Fail(id, name, "expires is required (Unix ms)");
            if (expiresValue.ValueKind != JsonValueKind.Number || !expiresValue.TryGetInt64(out var expires) || expires <= 0)
                return EnvelopeParseResult.Fail(id, name, "expires must be a positive integer (Unix ms)");

            JsonElement args = default;
            ReadOnlyMemory<byte> argsRaw = default;
            if (root.TryGetProperty("args", out var argsValue))
            {
                if (argsValue.ValueKind != JsonValueKind.Object) return EnvelopeParseResult.Fail(id, name, "args must be a JSON object");
                argsRaw = JsonMarshal.GetRawUtf8Value(argsValue).ToArray();
                args = argsValue.Clone();
            }

            string? sig = null;
            if (root.TryGetProperty("sig", out var sigValue))
            {
                if (sigValue.ValueKind != JsonValueKind.String) return EnvelopeParseResult.Fail(id, name, "sig must be a string (hex)");
                sig = sigValue.GetString();
            }
            return EnvelopeParseResult.Ok(new CommandEnvelope(id, name, expires, args, argsRaw, sig));
        }
    }

    /// <summary>Null when the command may run at <paramref name="nowUnixMs"/>; else why not.</summary>
    public string? CheckExpiry(long nowUnixMs, TimeSpan maxExpiry)
    {
        if (ExpiresUnixMs <= nowUnixMs) return $"expired at {Format(ExpiresUnixMs)} (DCU clock {Format(nowUnixMs)})";
        if (ExpiresUnixMs - nowUnixMs > (long)maxExpiry.TotalMilliseconds)
            return $"expires at {Format(ExpiresUnixMs)}, more than {maxExpiry:c} ahead of the DCU clock {Format(nowUnixMs)}";
        return null;
    }

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static string Format(long unixMs) =>
        unixMs is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
            : unixMs.ToString(CultureInfo.InvariantCulture);

    private static string Trim(string text, int max = 200) => text.Length <= max ? text : text[..max] + "...";
}

/// <summary>What <see cref="CommandEnvelope.Parse"/> found: the envelope, or an error with whatever id and name were usable.</summary>
public readonly record struct EnvelopeParseResult(CommandEnvelope? Envelope, string? Id, string? Name, string? Error)
{
    public static EnvelopeParseResult Ok(CommandEnvelope envelope) => new(envelope, envelope.Id, envelope.Name, null);

    public static EnvelopeParseResult Fail(string? id, string? name, string error) => new(null, id, name, error);
}
