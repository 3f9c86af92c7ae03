using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink.Encodings;
using static Dcu.Core.Tests.Uplink.Encodings.CompactSamples;

namespace Dcu.Core.Tests.Uplink.Encodings;

public sealed class CompactRoundTripTests
{
    public static TheoryData<double> Values => new()
    {
        0.0, -0.0, 1.0, -1.0, 42, 230.2, 229.8, -5.0,
        12345.678, 98765.432, 0.001, 0.937, -0.937, 50.01,
        123456789012.345, 9_007_199_254_740_992.0, 9_007_199_254_740_993.0 * 3, -9_007_199_254_740_991.0,
        1e22, 1e23, 1.5e-22, 1e-300, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 2.2250738585072014E-308,
        0.1 + 0.2, Math.PI, -Math.E, 1.0 / 3,
        (double)230.123f, (double)12345.678f, (double)float.MaxValue, (double)float.Epsilon,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), // a signalling NaN with payload
        BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_DEAD_BEEF)),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Every_value_decodes_to_the_identical_double(double value)
    {
        var batch = new[] { Record(1, "m", ObisCode.ActivePowerTotal, value, "kW", T0, T0 + 5) };
        var decoded = CompactBatchDecoder.Decode(Compact(batch)).Readings.Single();
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(decoded.Value));
    }

    [Fact]
    public void Random_doubles_of_every_shape_round_trip_bit_for_bit()
    {
        var random = new Random(20261125);
        var records = new OutboxRecord[2_000];
        for (var i = 0; i < records.Length; i++)
        {
            var value = (i % 4) switch
            {
                0 => BitConverter.Int64BitsToDouble(random.NextInt64()), // any bit pattern, NaNs included
                1 => Math.Round((random.NextDouble() - 0.5) * 1e6, random.Next(0, 6)),
                2 => (double)(float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30))),
                _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
            };
            records[i] = Record(i, $"m{i % 37}", new ObisCode(1, 0, (byte)(i % 5), 7, 0), value, "u" + (i % 3), T0 + (i % 9 * 60_000), T0 + i);
        }
        var decoded = CompactBatchDecoder.Decode(Compact(records)).Readings;
        Assert.Equal(records.Length, decoded.Count);
        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(records[i].Reading!.Value), BitConverter.DoubleToInt64Bits(decoded[i].Value));
            Assert.Equal(records[i].Reading! with { Value = 0 }, decoded[i] with { Value = 0 });
        }
    }

    [Fact]
    public void Every_field_round_trips_flags_times_ids_and_units()
    {
        var records = new List<OutboxRecord>();
        for (var f = 0; f < 8; f++)
            records.Add(Record(f, "sdm630-01", ObisCode.VoltageL1, 230 + f, "V", T0, T0 + 1_000 + f, (ReadingQuality)f));
        records.Add(Record(10, "zähler-Ω-電表-🙂", ObisCode.ActiveEnergyImport, 1.5, "kWh", T0 + 900_000, T0 + 900_100));
        records.Add(Record(11, "", new ObisCode(255, 255, 255, 255, 255), 2.5, "", T0 + 1_800_000, T0 - 5)); // read before its interval, empty id and unit
        records.Add(Record(12, "sdm630-01", ObisCode.VoltageL1, 3, "V", T0 + 7, long.MaxValue)); // off-grid interval: step becomes 1 ms
        records.Add(Record(13, "sdm630-01", ObisCode.VoltageL1, 4, "mV", T0, long.MinValue)); // same OBIS, another unit
        records.Add(Record(14, "sdm630-01", ObisCode.VoltageL1, 4, "V", -86_400_000, 0)); // before 1970
        var batch = records.ToArray();

        var decoded = CompactBatchDecoder.Decode(Compact(batch, "dcu-Ø", long.MinValue));
        Assert.Equal("dcu-Ø", decoded.DcuId);
        Assert.Equal(long.MinValue, decoded.Seq);
        Assert.Equal(batch.Select(r => r.Reading!), decoded.Readings);
    }

    [Fact]
    public void Times_at_the_ends_of_the_range_and_a_single_interval_round_trip()
    {
        OutboxRecord[] batch =
        [
            Record(1, "a", ObisCode.Frequency, 50, "Hz", long.MaxValue, long.MinValue),
            Record(2, "b", ObisCode.Frequency, 50.01, "Hz", long.MinValue, long.MaxValue),
            Record(3, "a", ObisCode.Frequency, 49.99, "Hz", 0, 0),
        ];
        Assert.Equal(batch.Select(r => r.Reading!), CompactBatchDecoder.Decode(Compact(batch)).Readings);
        var one = new[] { Record(1, "a", ObisCode.Frequency, 50, "Hz", T0, T0) };
        Assert.Equal(one[0].Reading, CompactBatchDecoder.Decode(Compact(one)).Readings.Single());
    }

    [Fact]
    public void The_realistic_batches_round_trip()
    {
        foreach (var batch in new[] { Testing.SampleReadings.Site(100), Testing.SampleReadings.Site(25, intervals: 4), Testing.SampleReadings.Site(100, float32Registers: true) })
        {
            var decoded = CompactBatchDecoder.Decode(Compact(batch, seq: 123_456));
            Assert.Equal(123_456, decoded.Seq);
            Assert.Equal(batch.Select(r => r.Reading!), decoded.Readings);
        }
    }

    [Fact]
    public void Decimal_values_take_the_decimal_kind_and_float_registers_float32()
    {
        Assert.True(CompactValue.TryDecimal(12345.678, out var m, out var e));
        Assert.Equal((12345678L, -3), (m, e));
        Assert.True(CompactValue.TryDecimal(1200, out m, out e));
        Assert.Equal((12L, 2), (m, e));
        Assert.False(CompactValue.TryDecimal(-0.0, out _, out _)); // the sign of zero lives only in the float kinds

        Span<byte> payload = stackalloc byte[10];
        Assert.Equal(CompactFormat.DecimalExponentBias - 1, CompactValue.Choose(230.2, payload, out var length));
        Assert.Equal(2, length);
        Assert.Equal(CompactFormat.Float32Kind, CompactValue.Choose((double)230.123f, payload, out length));
        Assert.Equal(4, length);
        Assert.Equal(CompactFormat.Float64Kind, CompactValue.Choose(0.1 + 0.2, payload, out length)); // 0.30000000000000004: 17 digits
        Assert.Equal(8, length);
    }

    [Fact]
    public void The_encoder_refuses_what_the_format_cannot_carry_and_names_it()
    {
        var enc = CompactBatchEncoding.Instance;
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => enc.EncodeReadings(output, "d", 1, ReadOnlySpan<OutboxRecord>.Empty));
        var ev = new OutboxRecord(5, OutboxLane.Events, null, new MeterEvent(null, "dcu_started", 1, "x"));
        Assert.Contains("record 5 is not a reading", Assert.Throws<ArgumentException>(() => enc.EncodeReadings(output, "d", 1, new[] { ev })).Message, StringComparison.Ordinal);
        var flags = Record(6, "m", ObisCode.VoltageL1, 1, "V", 0, 0, (ReadingQuality)8);
        Assert.Contains("quality flags 8", Assert.Throws<ArgumentException>(() => enc.EncodeReadings(output, "d", 1, new[] { flags })).Message, StringComparison.Ordinal);
        var surrogate = Record(7, "bad\uD800", ObisCode.VoltageL1, 1, "V", 0, 0);
        Assert.Contains("meter id", Assert.Throws<ArgumentException>(() => enc.EncodeReadings(output, "d", 1, new[] { surrogate })).Message, StringComparison.Ordinal);
        var longId = Record(8, new string('x', 65_536), ObisCode.VoltageL1, 1, "V", 0, 0);
        Assert.Throws<ArgumentException>(() => enc.EncodeReadings(output, "d", 1, new[] { longId }));
        var longestId = Record(9, new string('x', 65_535), ObisCode.VoltageL1, 1, "V", 0, 0);
        Assert.Equal(longestId.Reading, CompactBatchDecoder.Decode(Compact([longestId])).Readings.Single());
        Assert.Equal(0, output.WrittenCount);

        // Still usable after a refusal (its per-thread scratch is reset).
        var ok = Compact(DocExample());
        Assert.Equal(3, CompactBatchDecoder.Decode(ok).Readings.Count);
    }
}
