using System.Buffers;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink.Encodings;

namespace Dcu.Core.Tests.Uplink.Encodings;

/// <summary>Batches and helpers shared by the encoding tests.</summary>
internal static class CompactSamples
{
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public static OutboxRecord Record(long id, string meter, ObisCode obis, double value, string unit, long t, long rt, ReadingQuality f = ReadingQuality.Good) =>
        new(id, OutboxLane.Readings, new Reading(new MeterId(meter), obis, value, unit, t, rt, f), null);

    /// <summary>The batch of the worked example in docs/compact-encoding.md.</summary>
    public static OutboxRecord[] DocExample() =>
    [
        Record(1017, "sdm630-01", ObisCode.VoltageL1, 230.2, "V", T0, T0 + 1_234),
        Record(1018, "sdm630-01", ObisCode.ActiveEnergyImport, 12345.678, "kWh", T0, T0 + 1_301, ReadingQuality.Late),
        Record(1019, "zähler-2", ObisCode.VoltageL1, 229.8, "V", T0 + 900_000, T0 + 901_000),
    ];

    public static byte[] Encode(IBatchEncoding encoding, OutboxRecord[] batch, string dcu = "dcu-0042", long seq = 7)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encoding.EncodeReadings(buffer, dcu, seq, batch);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Compact(OutboxRecord[] batch, string dcu = "dcu-0042", long seq = 7) => Encode(CompactBatchEncoding.Instance, batch, dcu, seq);
}
