using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Host.Runtime;

/// <summary>
/// One bus as wired: its link (owned here), the protocol reader on it, the meters it serves, and
/// the protocol's error counters for the heartbeat ("timeouts", "crc", ...).
/// </summary>
public sealed record MeterBus(string Name, IByteLink Link, IMeterReader Reader, IReadOnlyList<Meter> Meters, Func<IReadOnlyDictionary<string, long>> ErrorCounters);
