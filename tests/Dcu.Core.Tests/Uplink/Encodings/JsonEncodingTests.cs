using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Dcu.Core.Uplink;
using Dcu.Core.Uplink.Encodings;
using static Dcu.Core.Tests.Uplink.Encodings.CompactSamples;

namespace Dcu.Core.Tests.Uplink.Encodings;

public sealed class JsonEncodingTests
{
    [Fact]
    public void Json_is_byte_for_byte_the_contract_encoder_with_the_given_seq()
    {
        var batch = Testing.SampleReadings.Site(7, intervals: 2);
        batch[3] = batch[3] with { Reading = batch[3].Reading! with { Value = double.NaN } };
        var contract = ReadingBatchEncoder.Encode("dcu-0042", batch[0].Id, batch);
        Assert.Equal(contract, Encode(JsonBatchEncoding.Instance, batch, seq: batch[0].Id));

        using var doc = JsonDocument.Parse(Encode(JsonBatchEncoding.Instance, batch, seq: 99));
        Assert.Equal(99, doc.RootElement.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void Json_deflate_is_raw_deflate_of_the_json()
    {
        var batch = DocExample();
        var deflated = Encode(JsonDeflateBatchEncoding.Instance, batch, seq: 5);
        Assert.NotEqual(0x78, deflated[0]); // no zlib header
        using var inflater = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        var json = new MemoryStream();
        inflater.CopyTo(json);
        Assert.Equal(Encode(JsonBatchEncoding.Instance, batch, seq: 5), json.ToArray());
    }

    [Fact]
    public void Encodings_append_to_the_buffer_they_are_given()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        buffer.Write("xy"u8);
        CompactBatchEncoding.Instance.EncodeReadings(buffer, "d", 1, DocExample());
        Assert.Equal("xy"u8.ToArray(), buffer.WrittenSpan[..2].ToArray());
        Assert.Equal(3, CompactBatchDecoder.Decode(buffer.WrittenSpan[2..]).Readings.Count);
    }

    [Fact]
    public void A_refused_batch_leaves_the_output_as_it_was_in_every_encoding()
    {
        var ev = new Dcu.Core.Outbox.OutboxRecord(9, Dcu.Core.Outbox.OutboxLane.Events, null, new Dcu.Core.Model.MeterEvent(null, "dcu_started", 1, "x"));
        Dcu.Core.Outbox.OutboxRecord[] batch = [.. DocExample(), ev];
        foreach (var name in new[] { "json", "json-deflate", "compact" })
        {
            var buffer = new ArrayBufferWriter<byte>();
            var ex = Assert.Throws<ArgumentException>(() => BatchEncodings.Create(name).EncodeReadings(buffer, "d", 1, batch));
            Assert.Contains("record 9 is not a reading", ex.Message, StringComparison.Ordinal);
            Assert.Equal(0, buffer.WrittenCount);
        }
    }

    [Theory]
    [InlineData("json", UplinkEncoding.Json, ContentTypes.Json)]
    [InlineData("JSON-Deflate", UplinkEncoding.JsonDeflate, ContentTypes.JsonDeflate)]
    [InlineData(" compact ", UplinkEncoding.Compact, ContentTypes.Compact)]
    public void The_option_names_an_encoding(string name, UplinkEncoding expected, string contentType)
    {
        Assert.True(BatchEncodings.TryParse(name, out var parsed));
        Assert.Equal(expected, parsed);
        var encoding = BatchEncodings.Create(name);
        Assert.Equal(contentType, encoding.ContentType);
        Assert.Equal(BatchEncodings.NameOf(expected), encoding.Name);
    }

    [Fact]
    public void An_unknown_encoding_is_refused_naming_the_option()
    {
        Assert.False(BatchEncodings.TryParse("cbor", out _));
        Assert.Contains("Publisher:Encoding", Assert.Throws<ArgumentException>(() => BatchEncodings.Create("cbor")).Message, StringComparison.Ordinal);
        var options = new UplinkPublisherOptions { Encoding = "gzip" };
        Assert.Equal("Encoding", Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        new UplinkPublisherOptions().Validate(); // json by default
        Assert.Equal("json", new UplinkPublisherOptions().Encoding);
    }
}
