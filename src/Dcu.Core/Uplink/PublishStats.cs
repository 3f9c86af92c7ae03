namespace Dcu.Core.Uplink;

/// <summary>Counters of <see cref="UplinkPublisher"/> since start.</summary>
/// <param name="Batches">Messages acknowledged (PUBACK) by the broker.</param>
/// <param name="ReadingsPublished">Readings in acknowledged messages (duplicates of re-sent batches included).</param>
/// <param name="EventsPublished">Events in acknowledged messages.</param>
/// <param name="FailedPublishes">Publishes refused, failed or timed out (their items were kept and re-sent).</param>
/// <param name="ReadingsPerSecond">Readings acknowledged per second over the interval since the previous snapshot.</param>
public sealed record PublishStats(long Batches, long ReadingsPublished, long EventsPublished, long FailedPublishes, double ReadingsPerSecond);
