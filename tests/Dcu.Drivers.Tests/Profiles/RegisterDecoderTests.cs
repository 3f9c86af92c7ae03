using Dcu.Core.Model;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Tests.Modbus;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Profiles;

public class RegisterDecoderTests
{
    [Theory]
    // SDM float32 high word first: 230.2 = 43 66 33 33; 1234.5 = 44 9A 50 00
    [InlineData("43663333", RegisterType.Float32, WordOrder.HighFirst, 1.0, 230.2f)]
    [InlineData("449A5000", RegisterType.Float32, WordOrder.HighFirst, 1.0, 1234.5)]
    [InlineData("3333 4366", RegisterType.Float32, WordOrder.LowFirst, 1.0, 230.2f)]
    // EM24 int32 low word first /10: 230.5 V = 0901 0000
    [InlineData("0901 0000", RegisterType.Int32, WordOrder.LowFirst, 0.1, 230.5)]
    [InlineData("FFFF FFFF", RegisterType.Int32, WordOrder.LowFirst, 0.1, -0.1)]
    [InlineData("0000 0901", RegisterType.Int32, WordOrder.HighFirst, 0.1, 230.5)]
    [InlineData("8000 0000", RegisterType.Int32, WordOrder.HighFirst, 1, int.MinValue)]
    [InlineData("FFFF FFFF", RegisterType.UInt32, WordOrder.HighFirst, 1, uint.MaxValue)]
    [InlineData("5678 1234", RegisterType.UInt32, WordOrder.LowFirst, 1, 0x12345678)]
    [InlineData("FFFE", RegisterType.Int16, WordOrder.HighFirst, 1, -2)]
    [InlineData("FFFE", RegisterType.UInt16, WordOrder.HighFirst, 1, 65534)]
    [InlineData("01F4", RegisterType.UInt16, WordOrder.LowFirst, 0.1, 50.0)] // word order ignored for one register
    [InlineData("1388", RegisterType.UInt16, WordOrder.HighFirst, 0.01, 50.0)]
    // ABB u64 /100: 1234.56 kWh = 123456 = 0x1E240
    [InlineData("0000 0000 0001 E240", RegisterType.UInt64, WordOrder.HighFirst, 0.01, 1234.56)]
    [InlineData("E240 0001 0000 0000", RegisterType.UInt64, WordOrder.LowFirst, 0.01, 1234.56)]
    [InlineData("FFFF FFFF FFFF FFFE", RegisterType.Int64, WordOrder.HighFirst, 1, -2)]
    [InlineData("FFFE FFFF FFFF FFFF", RegisterType.Int64, WordOrder.LowFirst, 1, -2)]
    [InlineData("0102 0304 0506 0708", RegisterType.Int64, WordOrder.HighFirst, 1, 0x0102030405060708)]
    [InlineData("0708 0506 0304 0102", RegisterType.Int64, WordOrder.LowFirst, 1, 0x0102030405060708)]
    public void Decodes_every_type_and_word_order(string hex, RegisterType type, WordOrder order, double scale, double expected)
    {
        var value = RegisterDecoder.Decode(Hex.Bytes(hex), type, order, scale);
        Assert.Equal(expected, value, 1e-9 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Low_first_int32_reverses_words_not_bytes()
    {
        // words F6FF FFFF, low first: value words are FFFF F6FF = -2305
        Assert.Equal(-2305, RegisterDecoder.Decode(Hex.Bytes("F6FF FFFF"), RegisterType.Int32, WordOrder.LowFirst));
    }

    [Fact]
    public void Reads_only_its_own_registers_from_a_longer_span()
    {
        Assert.Equal(230.2f, RegisterDecoder.Decode(Hex.Bytes("43663333 449A5000"), RegisterType.Float32, WordOrder.HighFirst), 1e-4);
    }

    [Fact]
    public void Too_few_bytes_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => RegisterDecoder.Decode(Hex.Bytes("4366"), RegisterType.Float32, WordOrder.HighFirst));
        Assert.Throws<ArgumentException>(() => RegisterDecoder.Decode(Hex.Bytes("0000 0000 0000"), RegisterType.UInt64, WordOrder.HighFirst));
    }

    [Fact]
    public void Float_nan_passes_through()
    {
        Assert.True(double.IsNaN(RegisterDecoder.Decode(Hex.Bytes("7FC00000"), RegisterType.Float32, WordOrder.HighFirst)));
    }

    [Theory]
    [InlineData(RegisterType.Float32, WordOrder.HighFirst, 1.0)]
    [InlineData(RegisterType.Float32, WordOrder.LowFirst, 1.0)]
    [InlineData(RegisterType.Int16, WordOrder.HighFirst, 0.1)]
    [InlineData(RegisterType.UInt16, WordOrder.HighFirst, 0.01)]
    [InlineData(RegisterType.Int32, WordOrder.LowFirst, 0.1)]
    [InlineData(RegisterType.UInt32, WordOrder.HighFirst, 0.001)]
    [InlineData(RegisterType.Int64, WordOrder.LowFirst, 0.01)]
    [InlineData(RegisterType.UInt64, WordOrder.HighFirst, 0.01)]
    public void Encoder_round_trips(RegisterType type, WordOrder order, double scale)
    {
        var random = new Random(42);
        Span<byte> bytes = stackalloc byte[8];
        var signed = type is RegisterType.Float32 or RegisterType.Int16 or RegisterType.Int32 or RegisterType.Int64;
        var range = type is RegisterType.Int16 or RegisterType.UInt16 ? 30000 * scale : 1e6;
        for (var i = 0; i < 500; i++)
        {
            var value = Math.Round(random.NextDouble() * range * (signed ? (random.Next(2) * 2 - 1) : 1) / scale) * scale;
            RegisterEncoder.Encode(value, type, order, scale, bytes);
            var back = RegisterDecoder.Decode(bytes, type, order, scale);
            Assert.Equal(value, back, type == RegisterType.Float32 ? Math.Abs(value) * 1e-6 + 1e-6 : 1e-9 * Math.Max(1, Math.Abs(value)));
        }
    }

    public static TheoryData<string, string, string, double> ProfileVectors => new()
    {
        // profile, OBIS, register bytes as the meter sends them, expected value
        { "eastron-sdm630", "1.0.32.7.0", "43663333", 230.2 },
        { "eastron-sdm630", "1.0.1.8.0", "449A5000", 1234.5 },
        { "eastron-sdm120", "1.0.14.7.0", "42480000", 50.0 },
        { "eastron-sdm120", "1.0.1.8.0", "449A5000", 1234.5 },
        { "carlo-gavazzi-em24", "1.0.32.7.0", "0901 0000", 230.5 },
        { "carlo-gavazzi-em24", "1.0.31.7.0", "1482 0000", 5.25 },           // 5250 mA = 0x1482
        { "carlo-gavazzi-em24", "1.0.16.7.0", "FFF6 FFFF", -1.0 },           // -10 = FFFF FFF6, low word first
        { "carlo-gavazzi-em24", "1.0.14.7.0", "01F4", 50.0 },
        { "carlo-gavazzi-em24", "1.0.1.8.0", "3039 0000", 1234.5 },          // 12345
        { "abb-b23", "1.0.32.7.0", "0000 08FE", 230.2 },                      // 2302
        { "abb-b23", "1.0.31.7.0", "0000 020D", 5.25 },                       // 525
        { "abb-b23", "1.0.16.7.0", "FFFF FC18", -10.0 },                      // -1000
        { "abb-b23", "1.0.14.7.0", "1388", 50.0 },                            // 5000
        { "abb-b23", "1.0.1.8.0", "0000 0000 0001 E23A", 1234.50 },           // 123450
    };

    [Theory]
    [MemberData(nameof(ProfileVectors))]
    public void Decodes_known_bytes_with_each_shipped_profile(string profile, string obis, string hex, double expected)
    {
        Assert.True(ShippedProfiles[profile].TryGetEntry(ObisCode.Parse(obis), out var entry));
        Assert.Equal(expected, RegisterDecoder.Decode(Hex.Bytes(hex), entry), 1e-4);
    }
}
