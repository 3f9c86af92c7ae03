using Dcu.Drivers.Cellular;

namespace Dcu.Drivers.Simulation;

/// <summary>How a <see cref="SimulatedAtModem"/> starts out; the modem's properties change it while it runs.</summary>
public sealed record SimulatedAtModemOptions
{
    /// <summary>+CSQ rssi (0..31, 99 = not known); 17 is -79 dBm.</summary>
    public int Rssi { get; init; } = 17;

    /// <summary>Each +CSQ answer moves rssi by a random step within ±this (kept within 0..31).</summary>
    public int RssiWobble { get; init; }

    public RegistrationState Registration { get; init; } = RegistrationState.RegisteredHome;

    public AccessTechnology Technology { get; init; } = AccessTechnology.EUtran;

    public bool SimPresent { get; init; } = true;

    /// <summary>Answer AT+CEREG? (a 4G module); false answers ERROR like a 3G-only module.</summary>
    public bool SupportsCereg { get; init; } = true;

    /// <summary>The vendor's ICCID command ("AT+CCID", "AT+ICCID" or "AT+QCCID"); the others answer ERROR.</summary>
    public string IccidCommand { get; init; } = "AT+CCID";

    public string Imei { get; init; } = "356938035643809";

    public string Iccid { get; init; } = "89490200001234567890";

    public string Operator { get; init; } = "DCU Sim Telecom";

    public int Seed { get; init; } = 27007;

    /// <summary>Split every answer into reads of at most this many bytes; 0 delivers whole answers.</summary>
    public int ReplyChunkSize { get; init; }
}
