using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The DL/T 645-2007 catch-up walk, independent of how frames reach the meter (RS485 client, PLC
/// relay): a missed interval is read back from the meter's daily frozen data (0506000n time,
/// 0506010n/0506020n forward/reverse active energy blocks), walking freezes n = 1..<see cref="MaxFreezes"/>.
/// Only a freeze whose time, converted from meter local time with <see cref="MeterUtcOffset"/>, is
/// exactly the interval counts, and only after the meter's clock is checked against UTC now +
/// <see cref="MeterUtcOffset"/>. An interval that is no local midnight is refused without I/O.
/// </summary>
/// <remarks>
/// The read delegate returns one DI's data bytes; it must throw <see cref="Dlt645MeterException"/>
/// for an abnormal reply (an error word with <see cref="Dlt645ErrorWord.NoRequestedData"/> ends the walk:
/// the meter holds fewer freezes).
/// </remarks>
public sealed class Dlt645FrozenCatchUp
{
    /// <summary>Reason of the <see cref="MeterProtocolException"/> when the meter holds no freeze for the interval (or none of the quantities).</summary>
    public const string NoPastDataReason = "dlt645_no_past_data";

    /// <summary>Offset of the meters' clocks from UTC (-14..+14 h, whole minutes; default zero).</summary>
    public TimeSpan MeterUtcOffset
    {
        get;
        init
        {
            ValidateOffset(value, nameof(MeterUtcOffset));
            field = value;
        }
    }

    /// <summary>Largest allowed difference between the meter's clock and UTC now + <see cref="MeterUtcOffset"/> (default 5 min).</summary>
    public TimeSpan MaxClockError
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(MaxClockError));
            field = value;
        }
    } = TimeSpan.FromMinutes(5);

    /// <summary>UTC now, for the clock check (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Most daily freezes walked back (1..62, default 7); each costs up to three requests.</summary>
    public int MaxFreezes
    {
        get;
        init
        {
            ValidateMaxFreezes(value, nameof(MaxFreezes));
            field = value;
        }
    } = 7;

    internal static void ValidateOffset(TimeSpan value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromHours(-14), name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromHours(14), name);
        if (value.Ticks % TimeSpan.TicksPerMinute != 0) throw new ArgumentOutOfRangeException(name, value, "whole minutes");
    }

    internal static void ValidateMaxFreezes(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 62, name);
    }

    /// <summary>True for the quantities kept in daily frozen data: forward/reverse active energy total and tariffs 1..4.</summary>
    public static bool IsFrozen(ObisCode obis) =>
        obis.A == 1 && obis.B == 0 && obis.C is (1 or 2) && obis.D == 8 && obis.E <= 4;

    /// <summary>
    /// Throws <see cref="MeterProtocolException"/> "dlt645_no_past_data" (without I/O) when none of
    /// <paramref name="quantities"/> is frozen or the interval is no local midnight; otherwise the frozen ones.
    /// </summary>
    public List<ObisCode> CheckWithoutIo(Meter meter, Dlt645Address address, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(quantities);
        var interval = DateTimeOffset.FromUnixTimeMilliseconds(intervalUnixMs);
        var wanted = quantities.Distinct().Where(IsFrozen).ToList();
        if (wanted.Count == 0)
            throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): none of the requested quantities is kept in daily frozen data (only forward/reverse active energy), interval {interval:u}");

        // Daily freezes are taken at the meter's local midnight (the DL/T 645 default freeze time):
        // any other instant cannot be in them, so say so without asking the meter.
        if ((intervalUnixMs + (long)MeterUtcOffset.TotalMilliseconds) % TimeSpan.MillisecondsPerDay != 0)
            throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): interval {interval:u} is not a daily freeze instant (local midnight at UTC{(MeterUtcOffset < TimeSpan.Zero ? "-" : "+")}{MeterUtcOffset:hh\\:mm})");
        return wanted;
    }

    /// <summary>
    /// The frozen forward/reverse active energies of the daily freeze taken exactly at
    /// <paramref name="intervalUnixMs"/>, each DI read through <paramref name="read"/>. Other quantities are left out.
    /// </summary>
    public async Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, Dlt645Address address, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs,
        Func<Dlt645DataId, CancellationToken, Task<byte[]>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var wanted = CheckWithoutIo(meter, address, quantities, intervalUnixMs);
        var interval = DateTimeOffset.FromUnixTimeMilliseconds(intervalUnixMs);

        DateTimeOffset? oldest = null;
        for (var n = 1; n <= MaxFreezes; n++)
        {
            var (timeId, forwardId, reverseId) = Dlt645DataIdentifiers.DailyFrozen(n);
            DateTimeOffset frozenAt;
            try
            {
                var time = await read(timeId, cancellationToken).ConfigureAwait(false);
                frozenAt = ToUtc(Decode(address, timeId, () => Dlt645Values.DecodeFreezeTime(time)));
            }
            catch (Dlt645MeterException ex) when ((ex.ErrorWord & Dlt645ErrorWord.NoRequestedData) != 0)
            {
                break; // the meter holds fewer freezes
            }

            oldest = frozenAt;
            if (frozenAt == interval)
            {
                await CheckClockAsync(meter, address, interval, read, cancellationToken).ConfigureAwait(false);
                var timeAgain = await read(timeId, cancellationToken).ConfigureAwait(false);
                var forward = await read(forwardId, cancellationToken).ConfigureAwait(false);
                var reverse = await read(reverseId, cancellationToken).ConfigureAwait(false);
                var frozen = Decode(address, forwardId, () => new Dlt645DailyFrozen(
                    Dlt645Values.DecodeFreezeTime(timeAgain), Dlt645Values.DecodeEnergyBlock(forward), Dlt645Values.DecodeEnergyBlock(reverse)));
                if (ToUtc(frozen.FrozenAt) != interval) // a freeze happened between the two reads: the block is another day's
                    throw new MeterProtocolException(NoPastDataReason, $"DL/T 645 meter {meter.Id} ({address}): freeze {n} moved while being read (now {frozen.FrozenAt:yyyy-MM-dd HH:mm} meter time); interval {interval:u} not read");
                return [.. wanted.Select(obis => ValueOf(obis, frozen))];
            }

            if (frozenAt < interval) break; // older than the interval: the meter did not freeze at it
        }

        throw new MeterProtocolException(NoPastDataReason,
            $"DL/T 645 meter {meter.Id} ({address}) holds no daily freeze at {interval:u} (meter UTC offset {MeterUtcOffset}; searched {MaxFreezes} freezes{(oldest is { } o ? $", oldest read {o:u}" : ", none read")})");
    }

    /// <summary>The meter's clock must run at <see cref="MeterUtcOffset"/>: otherwise its freeze times are not the instants they seem.</summary>
    private async Task CheckClockAsync(Meter meter, Dlt645Address address, DateTimeOffset interval, Func<Dlt645DataId, CancellationToken, Task<byte[]>> read, CancellationToken cancellationToken)
    {
        var date = await read(Dlt645DataId.Date, cancellationToken).ConfigureAwait(false);
        var time = await read(Dlt645DataId.Time, cancellationToken).ConfigureAwait(false);
        var clock = Decode(address, Dlt645DataId.Time, () => Dlt645Values.DecodeDateTime(date, time));
        var now = TimeProvider.GetUtcNow();
        var expected = now.UtcDateTime + MeterUtcOffset;
        var error = clock - expected;
        if (error.Duration() <= MaxClockError) return;
        var runsAt = TimeSpan.FromMinutes(Math.Round((clock - now.UtcDateTime).TotalMinutes / 15) * 15);
        throw new MeterProtocolException(NoPastDataReason,
            $"DL/T 645 meter {meter.Id} ({address}): no freeze can be placed at {interval:u}: the meter's clock reads {clock:yyyy-MM-dd HH:mm:ss}, {error.TotalMinutes:0} min off UTC{FormatOffset(MeterUtcOffset)} (the configured MeterUtcOffset; it looks like UTC{FormatOffset(runsAt)}), so its freeze times are not UTC{FormatOffset(MeterUtcOffset)}");
    }

    private static string FormatOffset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static MeterValue ValueOf(ObisCode obis, Dlt645DailyFrozen frozen)
    {
        var kwh = (obis.C == 1 ? frozen.ForwardActiveKwh : frozen.ReverseActiveKwh)[obis.E];
        return new MeterValue(obis, (double)kwh, "kWh");
    }

    private DateTimeOffset ToUtc(DateTime meterLocal) =>
        new DateTimeOffset(DateTime.SpecifyKind(meterLocal, DateTimeKind.Unspecified), MeterUtcOffset).ToUniversalTime();

    private static T Decode<T>(Dlt645Address address, Dlt645DataId dataId, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (FormatException ex)
        {
            throw new MeterProtocolException("dlt645_bad_value", $"Meter {address} {(uint)dataId:X8}: {ex.Message}", ex);
        }
    }
}
