using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// Reads DL/T 645-2007 meters (<see cref="MeterProtocol.Dlt645"/>) on an RS485 bus through a
/// <see cref="Dlt645Client"/> (the link is usually 2400 baud 8E1: <c>SerialParity.Even</c>).
/// <see cref="Meter.Address"/> is the 12-digit meter address. One request per quantity: most
/// meters have no multi-DI read. Block DIs (e.g. 0001FF00 = total + tariffs in one reply, with
/// follow-up frames on long blocks) could cut the requests for energy registers; left as a
/// follow-up because block support varies between meters.
/// </summary>
/// <remarks>
/// Quantities without a DL/T 645 mapping are skipped. A "no requested data" reply (the meter
/// lacks the DI, e.g. phase B on a single-phase meter) skips that quantity too; every other
/// failure propagates (timeouts, bad frames, other error words) for the bus worker to count.
/// </remarks>
public sealed class Dlt645MeterReader : IMeterReader
{
    private readonly Dlt645Client _client;
    private readonly ILogger _logger;

    public Dlt645MeterReader(Dlt645Client client, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = logger ?? NullLogger.Instance;
    }

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => Dlt645DataIdentifiers.Quantities;

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var address = AddressOf(meter);
        var result = new List<MeterValue>(quantities.Count);
        foreach (var obis in quantities.Distinct())
        {
            if (!Dlt645ReadExchange.TryGetItem(obis, out var item)) continue;
            byte[] data;
            try
            {
                data = await _client.ReadAsync(address, item.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Dlt645MeterException ex) when ((ex.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0)
            {
                _logger.LogDebug("DL/T 645 meter {Meter} ({Address}) has no {Obis} ({DataId:X8}); skipped", meter.Id, address, obis, (uint)item.Id);
                continue;
            }

            result.Add(Dlt645ReadExchange.DecodeValue(address, item, data));
        }

        return result;
    }

    /// <summary>The meter's 12-digit address; a malformed one is a configuration error (<see cref="ArgumentException"/>).</summary>
    public static Dlt645Address AddressOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (Dlt645Address.TryParse(meter.Address, out var address) && address.IsUnicast) return address;
        throw new ArgumentException($"Meter '{meter.Id}' has DL/T 645 address '{meter.Address}'; expected 12 decimal digits", nameof(meter));
    }
}
