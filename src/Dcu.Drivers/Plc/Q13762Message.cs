namespace Dcu.Drivers.Plc;

/// <summary>
/// One Q/GDW 1376.2 frame, decoded: <c>68 L C R(6) [A1 A2.. A3] AFN DT1 DT2 data CS 16</c>.
/// <see cref="Source"/> (A1) and <see cref="Destination"/> (A3) are present exactly when
/// <see cref="Info"/> has the communication-module flag (R1.D2). Downlink: A1 = main node (the DCU),
/// A3 = meter; uplink: A1 = meter, A3 = main node.
/// </summary>
public sealed record Q13762Message
{
    public required Q13762Control Control { get; init; }

    public required Q13762Info Info { get; init; }

    public PlcAddress? Source { get; init; }

    public IReadOnlyList<PlcAddress> Relays { get; init; } = [];

    public PlcAddress? Destination { get; init; }

    /// <summary>The AFN byte; values outside <see cref="Q13762Afn"/>'s names are kept as they came.</summary>
    public required Q13762Afn Afn { get; init; }

    public required Q13762Fn Fn { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; } = ReadOnlyMemory<byte>.Empty;

    public byte Sequence => Info.Sequence;

    public bool IsUplink => Control.IsUplink;

    /// <summary>A concentrator request (DIR=0, PRM=1).</summary>
    public static Q13762Message Request(Q13762CommMode mode, byte sequence, Q13762Afn afn, Q13762Fn fn, ReadOnlyMemory<byte> data,
        PlcAddress? source = null, PlcAddress? destination = null) => new()
        {
            Control = Q13762Control.Create(uplink: false, initiator: true, mode),
            Info = Q13762Info.Downlink(sequence, hasAddress: destination is not null),
            Source = destination is null ? null : source ?? default(PlcAddress),
            Destination = destination,
            Afn = afn,
            Fn = fn,
            Data = data,
        };

    public override string ToString() =>
        $"{Control} seq={Sequence} AFN={(byte)Afn:X2} {Fn}{(Source is { } s ? $" A1={s}" : "")}{(Destination is { } d ? $" A3={d}" : "")} data={Convert.ToHexString(Data.Span)}";
}
