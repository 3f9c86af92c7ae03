namespace Dcu.Core.Uplink;

/// <summary>Counters of <see cref="UplinkPublisher"/> since start.</summary>
/// <param name="Batches">Messages acknowledged (PUBACK) by the broker.</param>
/// <param name="ReadingsPublished">Readings in acknowledged messages (duplicates of re-sent batches included).</param>
/// <param name="EventsPublished">Events in acknowledged messages.</param>
/// <param name="FailedPublishes">Publishes refused, failed or timed out (their items were kept and re-sent).</param>
/// <param name="ReadingsPerSecond">Readings acknowledged per second over the interval since the previous snapshot.</param>
/// <param name="BillingPublished">Billing values in acknowledged messages.</param>
/// <param name="ResultsPublished">Results-lane messages acknowledged.</param>
/// <param name="AwaitingDcpAck">Batches PUBACKed and waiting for the DCP's ack (always 0 unless RequireDcpAck).</param>
/// <param name="DcpAckedBatches">Batches finished by a DCP ack.</param>
/// <param name="RepublishedAfterTimeout">Batches re-published because no DCP ack came within DcpAckTimeout.</param>
/// <param name="MalformedAcks">Ack payloads ignored as malformed.</param>
public sealed record PublishStats(
    long Batches,
    long ReadingsPublished,
    long EventsPublished,
    long FailedPublishes,
    double ReadingsPerSecond,
    long BillingPublished = 0,
    long ResultsPublished = 0,
    int AwaitingDcpAck = 0,
    long DcpAckedBatches = 0,
    long RepublishedAfterTimeout = 0,
    long MalformedAcks = 0);
