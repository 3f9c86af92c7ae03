using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
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
/// <para>Catch-up (<see cref="IMissedIntervalReader"/>): a missed interval is read back from the
/// meter's daily frozen data (0506000n time, 0506010n/0506020n forward/reverse active energy
/// blocks), walking freezes n = 1..<see cref="MaxFreezes"/>. Only a freeze whose time, converted
/// from meter local time with <see cref="MeterUtcOffset"/>, is exactly the interval counts: a
/// freeze at another instant is never passed off as the interval's value. Only forward/reverse
/// active energy (1.0.1.8.0..4, 1.0.2.8.0..4) is frozen; other quantities are not returned.</para>
/// <para>Control (<see cref="IMeterControl"/>, through <see cref="Dlt645MeterControl"/>): relay by 1CH with
/// the <see cref="Control"/> passwords and read-back from status word 3; clock read (04000101/02) and
/// written (14H) in meter local time via <see cref="MeterUtcOffset"/>; broadcast time 08H for the bus.</para>
/// </remarks>
public sealed class Dlt645MeterReader : IMeterReader, IMissedIntervalReader, IMeterControl
{
    /// <summary>Reason of the <see cref="MeterProtocolException"/> when the meter holds no freeze for the interval (or none of the quantities).</summary>
    public const string NoPastDataReason = Dlt645FrozenCatchUp.NoPastDataReason;

    private readonly Dlt645Client _client;
    private readonly ILogger _logger;

    public Dlt645MeterReader(Dlt645Client client, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Offset of the meters' clocks from UTC, used to place their freeze times (meter local time,
    /// YYMMDDhhmm) on the UTC timeline. Default zero; meters in China usually run on Beijing time,
    /// UTC+8 (<c>TimeSpan.FromHours(8)</c>). A wrong offset finds no freeze at the interval
    /// instead of mislabelling one.
    /// </summary>
    public TimeSpan MeterUtcOffset
    {
        get;
        init
        {
            Dlt645FrozenCatchUp.ValidateOffset(value, nameof(MeterUtcOffset));
            field = value;
        }
    }

    /// <summary>
    /// Largest difference allowed between the meter's clock (read before a freeze is returned) and
    /// UTC now + <see cref="MeterUtcOffset"/> (default 5 min). A freeze time only says what the
    /// meter's clock read; a meter on another offset than configured (or far off time) froze at
    /// another instant, so the freeze is not returned for the interval.
    /// </summary>
    public TimeSpan MaxClockError
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(MaxClockError));
            field = value;
        }
    } = TimeSpan.FromMinutes(5);

    /// <summary>UTC now, for the clock check (default: the client's <see cref="Dlt645ClientOptions.TimeProvider"/>).</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Most daily freezes walked back (1..62, default 7: a week) when catching up one interval; each costs up to three requests.</summary>
    public int MaxFreezes
    {
        get;
        init
        {
            Dlt645FrozenCatchUp.ValidateMaxFreezes(value, nameof(MaxFreezes));
            field = value;
        }
    } = 7;

    /// <summary>Passwords, operator code and close command for relay and clock control (default: none, so no relay switching).</summary>
    public Dlt645ControlSettings Control { get; init; } = new();

    public bool SupportsRelay(Meter meter)
    {
        AddressOf(meter);
        return Control.RelayPassword is not null;
    }

    public Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken) =>
        MeterControl().ReadRelayAsync(AddressOf(meter), cancellationToken);

    public Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken) =>
        MeterControl().SetRelayAsync(AddressOf(meter), action, cancellationToken);

    /// <summary>Every DL/T 645 meter has a clock; setting it needs a password (<see cref="Dlt645ControlSettings.EffectiveClockPassword"/>).</summary>
    public bool SupportsClock(Meter meter)
    {
        AddressOf(meter);
        return true;
    }

    public Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken) =>
        MeterControl().ReadClockAsync(AddressOf(meter), cancellationToken);

    public Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken) =>
        MeterControl().SetClockAsync(AddressOf(meter), utc, cancellationToken);

    /// <summary>08H to 999999999999 with the meters' local time (<see cref="MeterUtcOffset"/>); always sent, so true.</summary>
    public async Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken)
    {
        await _client.BroadcastTimeAsync(utc.ToOffset(MeterUtcOffset), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Dlt645MeterControl MeterControl() =>
        new(_client, Control, MeterUtcOffset, TimeProvider ?? _client.Options.TimeProvider, _logger);

    /// <summary>Always true: DL/T 645-2007 meters keep daily frozen energy.</summary>
    public bool CanReadPastIntervals(Meter meter) => true;

    /// <summary>
    /// The frozen forward/reverse active energies of the daily freeze taken exactly at
    /// <paramref name="intervalUnixMs"/>. Other quantities are left out. Throws
    /// <see cref="MeterProtocolException"/> "dlt645_no_past_data" when none of the quantities is
    /// frozen or no freeze among the last <see cref="MaxFreezes"/> is at that instant.
    /// </summary>
    public async Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var address = AddressOf(meter);
        var catchUp = new Dlt645FrozenCatchUp
        {
            MeterUtcOffset = MeterUtcOffset,
            MaxFreezes = MaxFreezes,
            MaxClockError = MaxClockError,
            TimeProvider = TimeProvider ?? _client.Options.TimeProvider,
        };
        return await catchUp.ReadIntervalAsync(meter, address, quantities, intervalUnixMs, (dataId, ct) => _client.ReadAsync(address, dataId, ct), cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => WithStatus;

    private static readonly IReadOnlyCollection<ObisCode> WithStatus = [.. Dlt645DataIdentifiers.Quantities, MeterStatus.Obis];

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quantities);
        var address = AddressOf(meter);
        var result = new List<MeterValue>(quantities.Count);
        foreach (var obis in quantities.Distinct())
        {
            if (obis == MeterStatus.Obis)
            {
                if (await ReadStatusAsync(meter, address, cancellationToken).ConfigureAwait(false) is { } status) result.Add(status);
                continue;
            }
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

    /// <summary>
    /// The status quantity (<see cref="MeterStatus.Obis"/>) from running status words 1 and 3
    /// (<see cref="Dlt645MeterStatus"/>); a word the meter lacks counts as no alarm, both lacking skips the quantity.
    /// </summary>
    private async Task<MeterValue?> ReadStatusAsync(Meter meter, Dlt645Address address, CancellationToken cancellationToken)
    {
        var word1 = Dlt645RunningStatus1.None;
        var word3 = Dlt645RunningStatus3.None;
        var lacking = 0;
        try { word1 = await _client.ReadStatus1Async(address, cancellationToken).ConfigureAwait(false); }
        catch (Dlt645MeterException ex) when ((ex.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0) { lacking++; }
        try { word3 = await _client.ReadStatus3Async(address, cancellationToken).ConfigureAwait(false); }
        catch (Dlt645MeterException ex) when ((ex.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0) { lacking++; }
        if (lacking == 2)
        {
            _logger.LogDebug("DL/T 645 meter {Meter} ({Address}) has no running status words; status skipped", meter.Id, address);
            return null;
        }
        return new MeterValue(MeterStatus.Obis, (int)Dlt645MeterStatus.ToFlags(word1, word3), "");
    }

    /// <summary>The meter's 12-digit address; a malformed one is a configuration error (<see cref="ArgumentException"/>).</summary>
    public static Dlt645Address AddressOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (Dlt645Address.TryParse(meter.Address, out var address) && address.IsUnicast) return address;
        throw new ArgumentException($"Meter '{meter.Id}' has DL/T 645 address '{meter.Address}'; expected 12 decimal digits", nameof(meter));
    }
}
