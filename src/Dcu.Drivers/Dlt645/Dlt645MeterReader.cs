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
/// </remarks>
public sealed class Dlt645MeterReader : IMeterReader, IMissedIntervalReader
{
    /// <summary>Reason of the <see cref="MeterProtocolException"/> when the meter holds no freeze for the interval (or none of the quantities).</summary>
    public const string NoPastDataReason = "dlt645_no_past_data";

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
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromHours(-14), nameof(MeterUtcOffset));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromHours(14), nameof(MeterUtcOffset));
            if (value.Ticks % TimeSpan.TicksPerMinute != 0) throw new ArgumentOutOfRangeException(nameof(MeterUtcOffset), value, "whole minutes");
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
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxFreezes));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 62, nameof(MaxFreezes));
            field = value;
        }
    } = 7;

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
        var interval = DateTimeOffset.FromUnixTimeMilliseconds(intervalUnixMs);
        var wanted = quantities.Distinct().Where(IsFrozen).ToList();
        if (wanted.Count == 0)
            throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): none of the requested quantities is kept in daily frozen data (only forward/reverse active energy), interval {interval:u}");

        // Daily freezes are taken at the meter's local midnight (the DL/T 645 default freeze time):
        // any other instant cannot be in them, so say so without asking the meter.
        if ((intervalUnixMs + (long)MeterUtcOffset.TotalMilliseconds) % TimeSpan.MillisecondsPerDay != 0)
            throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): interval {interval:u} is not a daily freeze instant (local midnight at UTC{(MeterUtcOffset < TimeSpan.Zero ? "-" : "+")}{MeterUtcOffset:hh\\:mm})");

        DateTimeOffset? oldest = null;
        for (var n = 1; n <= MaxFreezes; n++)
        {
            DateTimeOffset frozenAt;
            try
            {
                var time = await _client.ReadAsync(address, Dlt645DataIdentifiers.DailyFrozen(n).Time, cancellationToken).ConfigureAwait(false);
                frozenAt = ToUtc(address, n, time);
            }
            catch (Dlt645MeterException ex) when ((ex.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0)
            {
                break; // the meter holds fewer freezes
            }

            oldest = frozenAt;
            if (frozenAt == interval)
            {
                await CheckClockAsync(meter, address, interval, cancellationToken).ConfigureAwait(false);
                var frozen = await _client.ReadDailyFrozenAsync(address, n, cancellationToken).ConfigureAwait(false);
                if (ToUtc(frozen.FrozenAt) != interval) // a freeze happened between the two reads: the block is another day's
                    throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): freeze {n} moved while being read (now {frozen.FrozenAt:yyyy-MM-dd HH:mm} meter time); interval {interval:u} not read");
                return [.. wanted.Select(obis => ValueOf(obis, frozen))];
            }

            if (frozenAt < interval) break; // older than the interval: the meter did not freeze at it
        }

        throw new MeterProtocolException(NoPastDataReason,
            $"DL/T 645 meter {meter.Id} ({address}) holds no daily freeze at {interval:u} (meter UTC offset {MeterUtcOffset}; searched {MaxFreezes} freezes{(oldest is { } o ? $", oldest read {o:u}" : ", none read")})");
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

    /// <summary>The meter's clock must run at <see cref="MeterUtcOffset"/>: otherwise its freeze times are not the instants they seem.</summary>
    private async Task CheckClockAsync(Meter meter, Dlt645Address address, DateTimeOffset interval, CancellationToken cancellationToken)
    {
        var clock = await _client.ReadClockAsync(address, cancellationToken).ConfigureAwait(false);
        var now = (TimeProvider ?? _client.Options.TimeProvider).GetUtcNow();
        var expected = now.UtcDateTime + MeterUtcOffset;
        var error = clock - expected;
        if (error.Duration() <= MaxClockError) return;
        var runsAt = TimeSpan.FromMinutes(Math.Round((clock - now.UtcDateTime).TotalMinutes / 15) * 15);
        throw new MeterProtocolException(NoPastDataReason,
            $"DL/T 645 meter {meter.Id} ({address}): no freeze can be placed at {interval:u}: the meter's clock reads {clock:yyyy-MM-dd HH:mm:ss}, {error.TotalMinutes:0} min off UTC{FormatOffset(MeterUtcOffset)} (the configured MeterUtcOffset; it looks like UTC{FormatOffset(runsAt)}), so its freeze times are not UTC{FormatOffset(MeterUtcOffset)}");
    }

    private static string FormatOffset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsFrozen(ObisCode obis) =>
        obis.A == 1 && obis.B == 0 && obis.C is (1 or 2) && obis.D == 8 && obis.E <= 4;

    private static MeterValue ValueOf(ObisCode obis, Dlt645DailyFrozen frozen)
    {
        var kwh = (obis.C == 1 ? frozen.ForwardActiveKwh : frozen.ReverseActiveKwh)[obis.E];
        return new MeterValue(obis, (double)kwh, "kWh");
    }

    private DateTimeOffset ToUtc(DateTime meterLocal) =>
        new DateTimeOffset(DateTime.SpecifyKind(meterLocal, DateTimeKind.Unspecified), MeterUtcOffset).ToUniversalTime();

    private DateTimeOffset ToUtc(Dlt645Address address, int n, byte[] time)
    {
        try
        {
            return ToUtc(Dlt645Values.DecodeFreezeTime(time));
        }
        catch (FormatException ex)
        {
            throw new MeterProtocolException("dlt645_bad_value", $"Meter {address} {(uint)Dlt645DataIdentifiers.DailyFrozen(n).Time:X8}: {ex.Message}", ex);
        }
    }

    /// <summary>The meter's 12-digit address; a malformed one is a configuration error (<see cref="ArgumentException"/>).</summary>
    public static Dlt645Address AddressOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (Dlt645Address.TryParse(meter.Address, out var address) && address.IsUnicast) return address;
        throw new ArgumentException($"Meter '{meter.Id}' has DL/T 645 address '{meter.Address}'; expected 12 decimal digits", nameof(meter));
    }
}
