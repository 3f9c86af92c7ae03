namespace Dcu.Drivers.Dlt645;

/// <summary>What a reply is checked against: the address asked, the function, and for reads the DI (and follow-up sequence).</summary>
public readonly record struct Dlt645Request(Dlt645Address Address, Dlt645Function Function, Dlt645DataId? DataId = null, byte? Sequence = null)
{
    public static Dlt645Request Read(Dlt645Address address, Dlt645DataId dataId) => new(address, Dlt645Function.ReadData, dataId);

    public static Dlt645Request ReadFollowUp(Dlt645Address address, Dlt645DataId dataId, byte sequence) => new(address, Dlt645Function.ReadFollowUp, dataId, sequence);

    public static Dlt645Request ReadAddress() => new(Dlt645Address.Wildcard, Dlt645Function.ReadAddress);

    public static Dlt645Request Control(Dlt645Address address) => new(address, Dlt645Function.Control);
}
