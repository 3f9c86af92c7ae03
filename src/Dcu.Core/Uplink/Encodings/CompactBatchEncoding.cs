using System.Buffers;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// <c>compact</c>: the versioned binary reading batch of docs/compact-encoding.md. An uncompressed
/// header (magic <c>DCUR</c>, version, body length, DEFLATE length) and a raw DEFLATE body: the DCU
/// id, seq, the batch's time base and step, dictionaries of meters, units and quantities (OBIS +
/// unit), then one column per field (meter, quantity, interval, read time, flags, value kind, value),
/// so that DEFLATE sees runs of like bytes. <see cref="CompactBatchDecoder"/> reads it back.
/// </summary>
public sealed class CompactBatchEncoding : IBatchEncoding
{
    public static CompactBatchEncoding Instance { get; } = new();

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [ThreadStatic] private static Scratch? _scratch;

    private CompactBatchEncoding() { }

    public string Name => "compact";

    public string ContentType => ContentTypes.Compact;

    public void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        EncodeReadings(output, dcuId, seq, batch, Deflate.CompactLevel);

    /// <summary>With another zlib level (0-9), for the wire-bytes benchmark.</summary>
    internal void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch, int level)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dcuId);
        BatchRecords.RequireReadings(batch);
        var s = _scratch ??= new Scratch();
        s.Reset();
        try
        {
            WriteBody(s, dcuId, seq, batch);
            if (s.Body.WrittenCount > CompactFormat.MaxBodyLength)
                throw new ArgumentException($"The batch takes {s.Body.WrittenCount} bytes before compression, over the format's {CompactFormat.MaxBodyLength}.", nameof(batch));
            var deflatedLength = Deflate.Compress(s.Body.WrittenSpan, s.Deflated, level);

            output.Write(CompactFormat.Magic);
            output.Write([CompactFormat.Version]);
            Varint.Write(output, (ulong)s.Body.WrittenCount);
            Varint.Write(output, (ulong)deflatedLength);
            output.Write(s.Deflated.WrittenSpan);
        }
        finally
        {
            s.Release();
        }
    }

    private static void WriteBody(Scratch s, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch)
    {
        // Pass 1: dictionaries in order of first appearance, the time base (earliest interval) and step (their gcd).
        var baseTime = long.MaxValue;
        foreach (var record in batch)
        {
            var r = record.Reading!;
            if ((ulong)r.Quality > CompactFormat.KnownFlags)
                throw new ArgumentException($"Reading {record.Id} ({r.Meter}, {r.Obis}) has quality flags {(int)r.Quality} that format version {CompactFormat.Version} does not define.", nameof(batch));
            if (!s.Meters.TryGetValue(r.Meter.Value, out var meter))
            {
                meter = s.Meters.Count;
                s.Meters.Add(r.Meter.Value, meter);
                s.MeterOrder.Add(r.Meter.Value);
            }
            if (!s.Units.TryGetValue(r.Unit, out var unit))
            {
                unit = s.Units.Count;
                s.Units.Add(r.Unit, unit);
                s.UnitOrder.Add(r.Unit);
            }
            if (!s.Quantities.TryGetValue((r.Obis, unit), out var quantity))
            {
                quantity = s.Quantities.Count;
                s.Quantities.Add((r.Obis, unit), quantity);
                s.QuantityOrder.Add((r.Obis, unit));
            }
            s.MeterIndex.Add(meter);
            s.QuantityIndex.Add(quantity);
            baseTime = Math.Min(baseTime, r.IntervalUnixMs);
        }
        ulong step = 0;
        foreach (var record in batch) step = Gcd(step, unchecked((ulong)record.Reading!.IntervalUnixMs - (ulong)baseTime));
        if (step == 0) step = 1; // one interval time: every index is 0

        var body = s.Body;
        WriteString(body, dcuId, "dcu id");
        Varint.WriteSigned(body, seq);
        Varint.Write(body, (ulong)batch.Length);
        Varint.WriteSigned(body, baseTime);
        Varint.Write(body, step);
        Varint.Write(body, (ulong)s.MeterOrder.Count);
        foreach (var meter in s.MeterOrder) WriteString(body, meter, "meter id");
        Varint.Write(body, (ulong)s.UnitOrder.Count);
        foreach (var unit in s.UnitOrder) WriteString(body, unit, "unit");
        Varint.Write(body, (ulong)s.QuantityOrder.Count);
        foreach (var (obis, unit) in s.QuantityOrder)
        {
            body.Write([obis.A, obis.B, obis.C, obis.D, obis.E]);
            Varint.Write(body, (ulong)unit);
        }

        // Pass 2: the columns.
        var previous = 0;
        foreach (var meter in s.MeterIndex)
        {
            Varint.WriteSigned(body, meter - previous);
            previous = meter;
        }
        foreach (var quantity in s.QuantityIndex) Varint.Write(body, (ulong)quantity);
        foreach (var record in batch) Varint.Write(body, unchecked((ulong)record.Reading!.IntervalUnixMs - (ulong)baseTime) / step);
        var previousRead = baseTime;
        foreach (var record in batch)
        {
            var read = record.Reading!.ReadUnixMs;
            Varint.WriteSigned(body, unchecked(read - previousRead)); // modulo 2^64: exact for any pair of times
            previousRead = read;
        }
        foreach (var record in batch) Varint.Write(body, (ulong)record.Reading!.Quality);
        Span<byte> payload = stackalloc byte[Varint.MaxLength];
        var kinds = body.GetSpan(batch.Length)[..batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            kinds[i] = CompactValue.Choose(batch[i].Reading!.Value, payload, out var length);
            s.Values.Write(payload[..length]);
        }
        body.Advance(batch.Length);
        body.Write(s.Values.WrittenSpan);
    }

    private static void WriteString(ArrayBufferWriter<byte> body, string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        int length;
        try
        {
            length = StrictUtf8.GetByteCount(value);
        }
        catch (System.Text.EncoderFallbackException ex)
        {
            throw new ArgumentException($"The {field} '{value}' is not valid Unicode (lone surrogate).", field, ex);
        }
        if (length > CompactFormat.MaxStringLength)
            throw new ArgumentException($"The {field} '{value[..Math.Min(value.Length, 40)]}...' takes {length} UTF-8 bytes, over the format's {CompactFormat.MaxStringLength}.", field);
        Varint.Write(body, (ulong)length);
        var span = body.GetSpan(length);
        StrictUtf8.GetBytes(value, span);
        body.Advance(length);
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>Per-thread buffers and dictionaries, reused from batch to batch.</summary>
    private sealed class Scratch
    {
        public ArrayBufferWriter<byte> Body { get; } = new(16 * 1024);

        public ArrayBufferWriter<byte> Values { get; } = new(8 * 1024);

        public ArrayBufferWriter<byte> Deflated { get; } = new(8 * 1024);

        public Dictionary<string, int> Meters { get; } = new(StringComparer.Ordinal);

        public List<string> MeterOrder { get; } = [];

        public Dictionary<string, int> Units { get; } = new(StringComparer.Ordinal);

        public List<string> UnitOrder { get; } = [];

        public Dictionary<(ObisCode, int), int> Quantities { get; } = [];

        public List<(ObisCode Obis, int Unit)> QuantityOrder { get; } = [];

        public List<int> MeterIndex { get; } = [];

        public List<int> QuantityIndex { get; } = [];

        public void Reset()
        {
            Body.ResetWrittenCount();
            Values.ResetWrittenCount();
            Deflated.ResetWrittenCount();
        }

        /// <summary>Drops the strings of this batch (meter ids would otherwise stay alive until the next one).</summary>
        public void Release()
        {
            Meters.Clear();
            MeterOrder.Clear();
            Units.Clear();
            UnitOrder.Clear();
            Quantities.Clear();
            QuantityOrder.Clear();
            MeterIndex.Clear();
            QuantityIndex.Clear();
        }
    }
}
