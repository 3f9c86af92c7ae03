using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Modbus;

namespace Dcu.Host.Runtime;

/// <summary>One bus as wired: its link (owned here), the protocol master on it, and the meters it serves.</summary>
public sealed record MeterBus(string Name, IByteLink Link, IModbusMaster Master, IMeterReader Reader, IReadOnlyList<Meter> Meters);
