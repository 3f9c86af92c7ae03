using Dcu.Core.Model;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>A decoded compact reading batch (<see cref="CompactBatchDecoder"/>).</summary>
public sealed record CompactReadingBatch(string DcuId, long Seq, IReadOnlyList<Reading> Readings);
