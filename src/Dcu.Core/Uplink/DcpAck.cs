using System.Text.Json;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink;

/// <summary>
/// The DCP's acknowledgement of batches on <c>dcu/{id}/ack</c> (docs/mqtt-contract.md):
/// <c>{"seq":[12,13]}</c>, <c>{"from":12,"to":20}</c> (inclusive), or both in one object. Seqs are
/// integers 1..2^53; <c>seq</c> holds 1..1000 entries; <c>from</c> and <c>to</c> come together with
/// from &lt;= to. Other fields are ignored (room for later additions). A pure span parser.
/// </summary>
public static class DcpAck
{
    public const int MaxPayloadBytes = 16 * 1024;
    public const int MaxSeqs = 1000;
    private const long MaxSeq = 1L << 53; // exact in a JSON number read as double by any DCP

    /// <summary>Parses an ack; on failure <paramref name="error"/> says what is wrong (for a log line) and nothing is acknowledged.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out SeqRange[] ranges, out string? error)
    {
        ranges = [];
        error = null;
        if (payload.Length > MaxPayloadBytes) return Fail($"payload of {payload.Length} bytes is larger than {MaxPayloadBytes}", out error);
        var list = new List<SeqRange>();
        long? from = null, to = null;
        var sawSeq = false;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Fail("not a JSON object", out error);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    if (sawSeq) return Fail("seq is given twice", out error);
                    sawSeq = true;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return Fail("seq must be an array of integers", out error);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (!TrySeq(ref reader, out var s)) return Fail($"seq[{list.Count}] must be an integer 1..{MaxSeq}", out error);
                        if (list.Count == MaxSeqs) return Fail($"seq has more than {MaxSeqs} entries", out error);
                        list.Add(SeqRange.Single(s));
                    }
                    if (list.Count == 0) return Fail("seq must not be empty", out error);
                }
                else if (reader.ValueTextEquals("from"u8) || reader.ValueTextEquals("to"u8))
                {
                    var isFrom = reader.ValueTextEquals("from"u8);
                    var name = isFrom ? "from" : "to";
                    if ((isFrom ? from : to) is not null) return Fail($"{name} is given twice", out error);
                    if (!reader.Read() || !TrySeq(ref reader, out var v)) return Fail($"{name} must be an integer 1..{MaxSeq}", out error);
                    if (isFrom) from = v;
                    else to = v;
                }
                else
                {
                    reader.Read();
                    reader.Skip(); // unknown field: ignored
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject) return Fail("not a JSON object", out error);
            if (reader.Read()) return Fail("data after the JSON object", out error);
        }
        catch (JsonException ex)
        {
            return Fail($"malformed JSON: {ex.Message}", out error);
        }
        if (from is null != to is null) return Fail("from and to must be given together", out error);
        if (from is { } f && to is { } t)
        {
            if (f > t) return Fail($"from ({f}) is after to ({t})", out error);
            list.Add(new SeqRange(f, t));
        }
        if (list.Count == 0) return Fail("neither seq nor from/to given", out error);
        ranges = [.. list];
        return true;
    }

    private static bool TrySeq(ref Utf8JsonReader reader, out long seq)
    {
        seq = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out seq) && seq is >= 1 and <= MaxSeq;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
