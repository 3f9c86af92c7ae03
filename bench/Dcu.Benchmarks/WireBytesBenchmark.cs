using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink.Encodings;
using Dcu.Testing;

namespace Dcu.Benchmarks;

/// <summary>
/// Bytes on the wire per reading for each reading encoding (docs/BENCHMARKS.md, "Bytes on the wire"):
/// realistic batches from <see cref="SampleReadings"/> (one 15-minute interval of 100 meters x 10
/// quantities; 25 meters x 4 intervals; the first with float32 register values), each encoded as one
/// batch, plus today's worst case of one JSON message per reading. Wire bytes per
/// <see cref="MqttWireModel"/> (MQTT 5 PUBLISH with content type, TCP segments of MSS 1460 with 40
/// bytes IPv4+TCP each, the broker's ACKs and PUBACK, the DCU's ACK). CPU: mean encode time per batch
/// the fastest of 5 rounds after a warm-up, on this machine; and the DEFLATE levels compared.
/// </summary>
internal static class WireBytesBenchmark
{
    private const string Dcu = "dcu-0042";
    private const string Topic = "dcu/dcu-0042/readings";

    public static Task<int> RunAsync(BenchArgs args)
    {
        var meters = args.Int("meters", 100);
        var iterations = args.Int("iterations", 200);
        var datasets = new (string Name, OutboxRecord[] Batch)[]
        {
            ($"site: {meters} meters x 10 quantities, 1 interval (decimal values)", SampleReadings.Site(meters)),
            ($"mixed: {meters / 4} meters x 10 quantities x 4 intervals, late flags", SampleReadings.Site(meters / 4, intervals: 4)),
            ($"float32: {meters} meters x 10 quantities, float32 register values", SampleReadings.Site(meters, float32Registers: true)),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wire-bytes: topic {Topic}, MSS {MqttWireModel.Mss}, {MqttWireModel.IpTcpHeaders} B IPv4+TCP per segment, deflate level {Deflate.JsonLevel} (json-deflate) / {Deflate.CompactLevel} (compact), {iterations} iterations, cores={Environment.ProcessorCount}"));

        var ok = true;
        foreach (var (name, batch) in datasets)
        {
            Console.WriteLine();
            Console.WriteLine($"{name} ({batch.Length} readings)");
            Console.WriteLine("| Encoding | Payload (B) | MQTT PUBLISH (B) | Segments | Wire (B) | Wire per reading (B) | vs one JSON message per reading | Encode CPU per batch |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

            // Today's worst case: each reading its own JSON message, no content type (what the publisher sends with BatchSize 1).
            long perReadingPayload = 0, perReadingWire = 0;
            var single = new ArrayBufferWriter<byte>();
            for (var i = 0; i < batch.Length; i++)
            {
                single.ResetWrittenCount();
                JsonBatchEncoding.Instance.EncodeReadings(single, Dcu, batch[i].Id, batch.AsSpan(i, 1));
                perReadingPayload += single.WrittenCount;
                perReadingWire += MqttWireModel.Publish(Topic, single.WrittenCount, contentType: null).Total;
            }
            var baseline = perReadingWire / (double)batch.Length;
            Row("json, one message per reading", perReadingPayload, "-", "-", perReadingWire, batch.Length, baseline, "-");

            foreach (var encoding in new IBatchEncoding[] { JsonBatchEncoding.Instance, JsonDeflateBatchEncoding.Instance, CompactBatchEncoding.Instance })
            {
                var (payload, micros) = Measure(batch, iterations, (o, b) => encoding.EncodeReadings(o, Dcu, 1_000_017, b));
                var wire = MqttWireModel.Publish(Topic, payload, encoding.ContentType);
                Row($"{encoding.Name}, one batch", payload, wire.PublishPacket.ToString("N0", CultureInfo.InvariantCulture), wire.Segments.ToString(CultureInfo.InvariantCulture),
                    wire.Total, batch.Length, baseline, string.Create(CultureInfo.InvariantCulture, $"{micros:N0} µs"));
                if (encoding is CompactBatchEncoding && wire.Total / (double)batch.Length > 10) ok = false;
            }

            Console.WriteLine();
            Console.WriteLine("| DEFLATE level | json-deflate payload (B) | encode CPU | compact payload (B) | encode CPU |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            foreach (var level in new[] { 1, 6, 9 })
            {
                var (jd, jdMicros) = Measure(batch, iterations, (o, b) => JsonDeflateBatchEncoding.Instance.EncodeReadings(o, Dcu, 1, b, level));
                var (c, cMicros) = Measure(batch, iterations, (o, b) => CompactBatchEncoding.Instance.EncodeReadings(o, Dcu, 1, b, level));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {level} | {jd:N0} | {jdMicros:N0} µs | {c:N0} | {cMicros:N0} µs |"));
            }

            var compact = new ArrayBufferWriter<byte>();
            CompactBatchEncoding.Instance.EncodeReadings(compact, Dcu, 1, batch);
            var bytes = compact.WrittenSpan.ToArray();
            var decodeMicros = Time(iterations, () => CompactBatchDecoder.Decode(bytes));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compact decode (C#, validating): {decodeMicros:N0} µs per batch"));
        }
        return Task.FromResult(ok ? 0 : 1);
    }

    private delegate void Encode(IBufferWriter<byte> output, ReadOnlySpan<OutboxRecord> batch);

    private static (int Payload, double Micros) Measure(OutboxRecord[] batch, int iterations, Encode encode)
    {
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        var micros = Time(iterations, () =>
        {
            output.ResetWrittenCount();
            encode(output, batch);
        });
        return (output.WrittenCount, micros);
    }

    /// <summary>
    /// Microseconds per call: after a warm-up of at least 0.5 s (tiered JIT reaches its optimised code),
    /// the fastest of 5 rounds of iterations/5 calls, the round least disturbed by other load on the box.
    /// </summary>
    private static double Time(int iterations, Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) action();
        var perRound = Math.Max(1, iterations / 5);
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < perRound; i++) action();
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds / perRound);
        }
        return best;
    }

    private static void Row(string name, long payload, string publish, string segments, long wire, int readings, double baseline, string cpu)
    {
        var perReading = wire / (double)readings;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {payload:N0} | {publish} | {segments} | {wire:N0} | {perReading:F2} | {perReading / baseline:P1} ({baseline / perReading:F0}x smaller) | {cpu} |"));
    }
}
