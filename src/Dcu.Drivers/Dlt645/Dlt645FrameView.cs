namespace Dcu.Drivers.Dlt645;

/// <summary>
/// One well-formed frame as found in a buffer (see <see cref="Dlt645Frame.TryRead"/>): header
/// fields plus the data still +33H-encoded, pointing into the caller's buffer. No allocation.
/// </summary>
public readonly ref struct Dlt645FrameView
{
    public Dlt645FrameView(Dlt645Address address, byte control, ReadOnlySpan<byte> encodedData, int preambleLength)
    {
        Address = address;
        Control = control;
        EncodedData = encodedData;
        PreambleLength = preambleLength;
    }

    public Dlt645Address Address { get; }

    public byte Control { get; }

    /// <summary>Data as on the wire (each byte +33H).</summary>
    public ReadOnlySpan<byte> EncodedData { get; }

    /// <summary>FE wake-up bytes before the first 68H.</summary>
    public int PreambleLength { get; }

    public int DataLength => EncodedData.Length;

    public Dlt645Function Function => Dlt645Control.FunctionOf(Control);

    public bool IsReply => Dlt645Control.IsReply(Control);

    public bool IsAbnormal => Dlt645Control.IsAbnormal(Control);

    public bool HasFollowUp => Dlt645Control.HasFollowUp(Control);

    /// <summary>Data byte <paramref name="index"/> with the 33H removed.</summary>
    public byte DataAt(int index) => unchecked((byte)(EncodedData[index] - Dlt645Frame.DataOffset));

    /// <summary>Copies the data, 33H removed, into <paramref name="destination"/>.</summary>
    public void DecodeData(Span<byte> destination) => Dlt645Frame.Decode(EncodedData, destination);

    public byte[] DecodeData()
    {
        var data = new byte[EncodedData.Length];
        DecodeData(data);
        return data;
    }
}
