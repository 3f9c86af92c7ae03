using System.Text;

namespace Dcu.Testing;

/// <summary>
/// Bytes one MQTT 5 QoS 1 publish costs on the link, as counted in docs/BENCHMARKS.md ("Bytes on the wire"):
/// the PUBLISH packet (fixed header, topic, packet id, properties with the content type, payload) cut
/// into TCP segments of at most <see cref="Mss"/> bytes, each with <see cref="IpTcpHeaders"/> bytes of
/// IPv4 + TCP headers (no options); the broker's pure ACKs, one per two data segments, the ACK of the
/// last ones riding on the PUBACK; the PUBACK (4 bytes) in its own segment; and the DCU's ACK of it.
/// Both directions count (a 3G plan bills both). Not counted: TLS records, TCP options, link-layer
/// framing, and the connection's own packets (CONNECT, PINGREQ), which do not depend on the encoding.
/// </summary>
public static class MqttWireModel
{
    public const int Mss = 1460;
    public const int IpTcpHeaders = 40;

    /// <summary>MQTT 5 PUBACK with reason 0 (success) and no properties: fixed header 2 + packet id 2.</summary>
    public const int PubAckPacket = 4;

    /// <summary>Length of the PUBLISH packet: fixed header, topic, packet id, properties, payload.</summary>
    public static int PublishPacket(string topic, int payloadLength, string? contentType)
    {
        var properties = contentType is null ? 0 : 1 + 2 + Encoding.UTF8.GetByteCount(contentType); // 0x03, UTF-8 string
        var remaining = 2 + Encoding.UTF8.GetByteCount(topic) + 2 + VariableByteIntegerLength(properties) + properties + payloadLength;
        return 1 + VariableByteIntegerLength(remaining) + remaining;
    }

    /// <summary>Everything the publish costs on the link, both directions.</summary>
    public static WireCost Publish(string topic, int payloadLength, string? contentType)
    {
        var packet = PublishPacket(topic, payloadLength, contentType);
        var segments = (packet + Mss - 1) / Mss;
        var up = packet + (segments * IpTcpHeaders);
        var pureAcks = (segments - 1) / 2;
        var down = (pureAcks * IpTcpHeaders) + PubAckPacket + IpTcpHeaders;
        var ackOfPubAck = IpTcpHeaders;
        return new WireCost(packet, segments, up + down + ackOfPubAck);
    }

    private static int VariableByteIntegerLength(int value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

/// <param name="PublishPacket">Bytes of the MQTT PUBLISH packet.</param>
/// <param name="Segments">TCP segments carrying it.</param>
/// <param name="Total">All bytes on the link for the publish, both directions.</param>
public readonly record struct WireCost(int PublishPacket, int Segments, int Total);
