namespace Dcu.Drivers.Dlt645;

/// <summary>
/// One DL/T 645 request and its checked reply, whatever carries the frames: the RS485 client
/// (<see cref="Dlt645Client"/>) or a PLC module relaying them. Lets <see cref="Dlt645MeterControl"/>
/// run the same relay and clock logic over both.
/// </summary>
public interface IDlt645Exchange
{
    /// <summary>Reads one DI; an abnormal reply throws <see cref="Dlt645MeterException"/>.</summary>
    Task<byte[]> ReadAsync(Dlt645Address address, Dlt645DataId dataId, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="function"/> with plain <paramref name="data"/> (the transport adds 33H, its
    /// preamble and framing) and returns the matched reply; an abnormal reply is returned, not thrown.
    /// </summary>
    Task<Dlt645Reply> RequestAsync(Dlt645Address address, Dlt645Function function, byte[] data, CancellationToken cancellationToken);
}
