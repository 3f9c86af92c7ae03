namespace Dcu.Drivers.Plc;

/// <summary>
/// The control byte C: D7 DIR (0 concentrator to module, 1 module to concentrator), D6 PRM (1 the
/// frame comes from the initiating station), D5..D0 communication mode.
/// </summary>
public readonly record struct Q13762Control(byte Value)
{
    /// <summary>DIR = 1: the module sent it.</summary>
    public bool IsUplink => (Value & 0x80) != 0;

    /// <summary>PRM = 1: the sender initiated the exchange (a request, a report); 0: an answer.</summary>
    public bool IsInitiator => (Value & 0x40) != 0;

    public Q13762CommMode CommMode => (Q13762CommMode)(Value & 0x3F);

    public static Q13762Control Create(bool uplink, bool initiator, Q13762CommMode mode) =>
        new((byte)((uplink ? 0x80 : 0) | (initiator ? 0x40 : 0) | ((byte)mode & 0x3F)));

    public override string ToString() => $"{Value:X2}({(IsUplink ? "up" : "down")},{(IsInitiator ? "prm" : "ans")},{CommMode})";
}
