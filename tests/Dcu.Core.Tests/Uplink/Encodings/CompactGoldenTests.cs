using Dcu.Core.Uplink.Encodings;
using static Dcu.Core.Tests.Uplink.Encodings.CompactSamples;

namespace Dcu.Core.Tests.Uplink.Encodings;

/// <summary>The worked example of docs/compact-encoding.md, byte for byte.</summary>
public sealed class CompactGoldenTests
{
    // The inflated body of the example (docs/compact-encoding.md, "Worked example").
    private const string BodyHex =
        "086463752D30303432" + "0E" + "03" + "80A0D5EDEE66" + "A0F736" +        // dcu id, seq, count, base time, step
        "02" + "0973646D3633302D3031" + "097AC3A4686C65722D32" +            // meters
        "02" + "0156" + "036B5768" +                                          // units
        "02" + "0100200700" + "00" + "0100010800" + "01" +                 // quantities
        "000002" + "000100" + "000001" + "A4138601E6E96D" + "000200" +     // meter, quantity, interval, read time, flags
        "151315" + "FC23" + "9C85E30B" + "F423";                          // value kinds, values

    [Fact]
    public void The_documented_example_body_is_what_the_encoder_writes()
    {
        var payload = Compact(DocExample());
        var (body, deflated) = CompactDecoderRejectionTests.Split(payload);
        Assert.Equal(BodyHex, Convert.ToHexString(body));
        Assert.Equal("DCUR"u8.ToArray(), payload[..4]);
        Assert.Equal(1, payload[4]);
        Assert.Equal(body.Length, payload[5]);
        Assert.Equal(deflated.Length, payload[6]);
    }

    [Fact]
    public void The_documented_example_decodes_to_its_readings()
    {
        // The body, re-deflated by another compressor (level 1): the body, not the DEFLATE bytes, is the contract.
        var decoded = CompactBatchDecoder.Decode(CompactDecoderRejectionTests.Build(Convert.FromHexString(BodyHex), BodyHex.Length / 2));
        Assert.Equal("dcu-0042", decoded.DcuId);
        Assert.Equal(7, decoded.Seq);
        Assert.Equal(DocExample().Select(r => r.Reading!), decoded.Readings);
    }
}
