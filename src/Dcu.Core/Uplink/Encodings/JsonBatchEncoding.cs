using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// <c>json</c>: the reading batch of docs/mqtt-contract.md,
/// <c>{"dcu":"id","seq":n,"readings":[{"m","q","v","u","t","rt","f"}]}</c>, with the publisher's
/// <c>seq</c>. Byte for byte what <see cref="ReadingBatchEncoder"/> writes for the same seq (a test
/// holds them together); it exists so every encoding takes the batch number as a parameter.
/// </summary>
public sealed class JsonBatchEncoding : IBatchEncoding
{
    public static JsonBatchEncoding Instance { get; } = new();

    private static readonly JsonEncodedText Dcu = JsonEncodedText.Encode("dcu");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText Readings = JsonEncodedText.Encode("readings");
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("m");
    private static readonly JsonEncodedText Q = JsonEncodedText.Encode("q");
    private static readonly JsonEncodedText V = JsonEncodedText.Encode("v");
    private static readonly JsonEncodedText U = JsonEncodedText.Encode("u");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText Rt = JsonEncodedText.Encode("rt");
    private static readonly JsonEncodedText F = JsonEncodedText.Encode("f");

    [ThreadStatic] private static Utf8JsonWriter? _writer;

    private JsonBatchEncoding() { }

    public string Name => "json";

    public string ContentType => ContentTypes.Json;

    public void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dcuId);
        BatchRecords.RequireReadings(batch); // before writing: a refused batch leaves the output as it was
        var writer = _writer ??= new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(output);
        try
        {
            writer.WriteStartObject();
            writer.WriteString(Dcu, dcuId);
            writer.WriteNumber(Seq, seq);
            writer.WriteStartArray(Readings);
            Span<char> obis = stackalloc char[20];
            foreach (var record in batch)
            {
                var r = record.Reading!;
                writer.WriteStartObject();
                writer.WriteString(M, r.Meter.Value);
                writer.WriteString(Q, FormatObis(r.Obis, obis));
                if (double.IsFinite(r.Value)) writer.WriteNumber(V, r.Value);
                else writer.WriteNull(V);
                writer.WriteString(U, r.Unit);
                writer.WriteNumber(T, r.IntervalUnixMs);
                writer.WriteNumber(Rt, r.ReadUnixMs);
                if (r.Quality != ReadingQuality.Good) writer.WriteNumber(F, (int)r.Quality);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            writer.Reset(NullBufferWriter.Instance); // do not keep the caller's buffer alive
        }
    }

    private static ReadOnlySpan<char> FormatObis(ObisCode c, Span<char> into) =>
        into.TryWrite(CultureInfo.InvariantCulture, $"{c.A}.{c.B}.{c.C}.{c.D}.{c.E}", out var n) ? into[..n] : c.ToString();

    private sealed class NullBufferWriter : IBufferWriter<byte>
    {
        public static readonly NullBufferWriter Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("not for writing");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("not for writing");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("not for writing");
    }
}
