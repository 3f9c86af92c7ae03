using System.Buffers.Binary;
using Dcu.Drivers.Dlt645;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// A DL/T 645-2007 meter that answers real frames: read data (11H) with follow-up frames (12H)
/// for long values, read address (13H), broadcast time (08H), write data (14H: date 04000101 and
/// time 04000102, password checked), control (1CH: trip / permit close / close directly / alarm /
/// keep power, with password and deadline checks; the relay state shows in status word 3 and stops
/// the energy counters, power and current), and D1H "no requested data" for DIs it does not have.
/// </summary>
/// <remarks>
/// <para>Values move like a real site on the <see cref="TimeProvider"/>: voltage near nominal with
/// a slow wobble and seeded noise, a daily load curve (optional PV, which makes reverse energy
/// and the reverse-power status bits), energy counters that only rise, integrated per tariff by
/// the local hour (T1 sharp 19-21 h, T2 peak 8-11 and 17-19 h, T3 flat 11-17 and 21-23 h, T4 valley
/// 23-8 h), and a daily freeze at local midnight (0506xx0n: the last 62 kept, n = 1 latest). Deterministic for a seed and a sequence of calls.</para>
/// <para><see cref="Respond"/> takes one whole request frame and returns the reply frame or null,
/// independent of any link, so a simulated RS485 bus or a simulated PLC module can carry it.</para>
/// </remarks>
public sealed class SimulatedDlt645Meter
{
    private static readonly TimeSpan IntegrationStep = TimeSpan.FromMinutes(1);
    private static readonly double[] PhaseShares = [0.40, 0.35, 0.25];

    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly long[] _forward = new long[5]; // 0.01 kWh per tariff, [0] unused
    private readonly long[] _reverse = new long[5];
    private readonly double[] _forwardRest = new double[5];
    private readonly double[] _reverseRest = new double[5];
    private readonly List<(DateTime At, long[] Forward, long[] Reverse)> _freezes = []; // [0] = latest
    private double _reactive1, _reactive2; // kvarh
    private DateTimeOffset _last;
    private TimeSpan _clockOffset;
    private (Dlt645DataId Id, byte[][] Chunks)? _followUp;

    public SimulatedDlt645Meter(Dlt645Address address, TimeProvider timeProvider, int seed, SimulatedSiteOptions? site = null, int phases = 3)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!address.IsUnicast) throw new ArgumentException("A meter needs a concrete 12-digit address.", nameof(address));
        if (phases is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(phases), phases, "1 or 3 phases");
        Address = address;
        Phases = phases;
        Site = site ?? new SimulatedSiteOptions { NominalVoltage = 220, UtcOffset = TimeSpan.FromHours(8) };
        _time = timeProvider;
        _random = new Random(seed);
        var import = (long)Math.Round(Site.InitialImportKwh * 100);
        var export = (long)Math.Round(Site.InitialExportKwh * 100);
        long[] split = [0, 15, 35, 30, 20];
        for (var t = 1; t <= 4; t++)
        {
            _forward[t] = import * split[t] / 100;
            _reverse[t] = export * split[t] / 100;
        }

        _reactive1 = Site.InitialImportKwh * 0.3;
        _last = _time.GetUtcNow();
        Freeze(LocalNow(_last).Date);
    }

    public Dlt645Address Address { get; }

    public int Phases { get; }

    public SimulatedSiteOptions Site { get; }

    /// <summary>The password 1CH must carry (level and code).</summary>
    public Dlt645Password Password { get; init; } = new(2, 0);

    /// <summary>Relay open (tripped): no energy flows, status word 3 bit 4 set.</summary>
    public bool RelayOpen { get; private set; }

    /// <summary>1BH was accepted while open: the relay closes only when the customer presses the button (<see cref="PressButton"/>).</summary>
    public bool ClosePermitted { get; private set; }

    /// <summary>
    /// Largest clock change a broadcast time (08H) may make; larger ones are ignored, as meters do
    /// (the standard lets a meter take a broadcast only within about 5 min). Null (default): any.
    /// </summary>
    public TimeSpan? MaxBroadcastCorrection { get; set; }

    /// <summary>Meter password refusals (wrong password in 1CH or 14H).</summary>
    public long PasswordRefusals { get; private set; }

    /// <summary>The customer's button: closes a relay whose closing was permitted (1BH).</summary>
    public void PressButton()
    {
        if (!ClosePermitted) return;
        Advance();
        RelayOpen = false;
        ClosePermitted = false;
    }

    /// <summary>Keep-power (保电) state: a trip command is refused.</summary>
    public bool KeepPower { get; private set; }

    public bool AlarmOn { get; private set; }

    /// <summary>Status word 1 bit 2.</summary>
    public bool ClockBatteryLow { get; set; }

    // Misbehaviour on purpose.

    /// <summary>Never answers.</summary>
    public bool Silent { get; set; }

    /// <summary>Answers with CS off by one.</summary>
    public bool CorruptChecksum { get; set; }

    /// <summary>Answers with this address in the header instead of its own.</summary>
    public Dlt645Address? ReplyAs { get; set; }

    /// <summary>FE wake-up bytes before each reply (real meters send 0..4).</summary>
    public int ReplyPreambleLength { get; set; }

    /// <summary>Largest L of a reply; longer values go out in follow-up frames (B1H, then 92H/B2H).</summary>
    public int MaxReplyDataLength { get; set; } = Dlt645Frame.MaxDataLength;

    public long RequestsServed { get; private set; }

    /// <summary>Daily freezes kept (the standard has room for 62; the oldest is dropped).</summary>
    public const int MaxDailyFreezes = 62;

    /// <summary>The daily freezes it holds, latest first (after integrating up to now): meter local midnight and kWh like <see cref="ForwardActiveKwh"/>.</summary>
    public IReadOnlyList<Dlt645DailyFrozen> DailyFreezes
    {
        get
        {
            Advance();
            return [.. _freezes.Select(f => new Dlt645DailyFrozen(f.At, Kwh(f.Forward), Kwh(f.Reverse)))];
        }
    }

    /// <summary>The meter's own clock (local time of its site, plus whatever broadcast time set).</summary>
    public DateTime Clock => LocalNow(_time.GetUtcNow()) + _clockOffset;

    /// <summary>How far the meter's clock is from the true local time (set by tests; 08H and 14H change it).</summary>
    public TimeSpan ClockOffset
    {
        get => _clockOffset;
        set => _clockOffset = value;
    }

    /// <summary>Forward active energy in kWh: [0] total, [n] tariff n (after integrating up to now).</summary>
    public decimal[] ForwardActiveKwh
    {
        get
        {
            Advance();
            return Kwh(_forward);
        }
    }

    public decimal[] ReverseActiveKwh
    {
        get
        {
            Advance();
            return Kwh(_reverse);
        }
    }

    /// <summary>The reply to one whole request frame (FE wake-up bytes allowed), or null for silence.</summary>
    public byte[]? Respond(ReadOnlySpan<byte> request)
    {
        if (Dlt645Frame.TryRead(request, out var frame, out _, out _, maxDataLength: 255) != Dlt645FrameStatus.Complete) return null;
        if (frame.IsReply || Silent) return null;
        var data = frame.DecodeData();
        if (frame.Address.IsBroadcast)
        {
            if (frame.Function == Dlt645Function.BroadcastTime) SetClock(data);
            return null;
        }

        if (!frame.Address.Matches(Address)) return null;
        RequestsServed++;
        Advance();
        return frame.Function switch
        {
            Dlt645Function.ReadData when data.Length >= 4 => ReadData((Dlt645DataId)BinaryPrimitives.ReadUInt32LittleEndian(data)),
            Dlt645Function.ReadFollowUp when data.Length >= 5 => ReadFollowUp((Dlt645DataId)BinaryPrimitives.ReadUInt32LittleEndian(data), data[4]),
            Dlt645Function.ReadAddress => Reply(Dlt645Control.NormalReply(Dlt645Function.ReadAddress), AddressBytes()),
            Dlt645Function.Control => Control(data),
            Dlt645Function.WriteData => Write(data),
            _ => Error(frame.Function, Dlt645ErrorWord.Other),
        };
    }

    private byte[] AddressBytes()
    {
        var bytes = new byte[Dlt645Address.Length];
        (ReplyAs ?? Address).WriteTo(bytes);
        return bytes;
    }

    private byte[] ReadData(Dlt645DataId id)
    {
        _followUp = null;
        if (!TryValue(id, out var value)) return Error(Dlt645Function.ReadData, Dlt645ErrorWord.NoRequestedData);
        var room = MaxReplyDataLength - 4;
        if (value.Length <= room) return Reply(Dlt645Control.NormalReply(Dlt645Function.ReadData), WithDi(id, value));
        var chunks = value.Chunk(Math.Max(1, room - 1)).ToArray(); // follow-ups also carry SEQ
        _followUp = (id, chunks);
        return Reply(Dlt645Control.NormalReply(Dlt645Function.ReadData, followUp: true), WithDi(id, chunks[0]));
    }

    private byte[] ReadFollowUp(Dlt645DataId id, byte sequence)
    {
        if (_followUp is not { } pending || pending.Id != id || sequence < 1 || sequence >= pending.Chunks.Length)
            return Error(Dlt645Function.ReadFollowUp, Dlt645ErrorWord.NoRequestedData);
        var more = sequence < pending.Chunks.Length - 1;
        if (!more) _followUp = null;
        byte[] data = [.. WithDi(id, pending.Chunks[sequence]), sequence];
        return Reply(Dlt645Control.NormalReply(Dlt645Function.ReadFollowUp, more), data);
    }

    private byte[] Control(byte[] data)
    {
        if (data.Length < 16) return Error(Dlt645Function.Control, Dlt645ErrorWord.Other);
        if (Dlt645Password.Read(data) != Password)
        {
            PasswordRefusals++;
            return Error(Dlt645Function.Control, Dlt645ErrorWord.Unauthorized);
        }

        if (!Dlt645Frame.TryReadDateTime(data.AsSpan(10), out var deadline) || deadline < Clock) return Error(Dlt645Function.Control, Dlt645ErrorWord.Other);
        switch ((Dlt645RelayCommand)data[8])
        {
            case Dlt645RelayCommand.Trip when KeepPower:
                return Error(Dlt645Function.Control, Dlt645ErrorWord.Other);
            case Dlt645RelayCommand.Trip:
                RelayOpen = true;
                ClosePermitted = false;
                break;
            case Dlt645RelayCommand.ClosePermitted:
                ClosePermitted = RelayOpen; // the relay stays open until the button is pressed
                break;
            case Dlt645RelayCommand.CloseDirect:
                RelayOpen = false;
                ClosePermitted = false;
                break;
            case Dlt645RelayCommand.Alarm:
                AlarmOn = true;
                break;
            case Dlt645RelayCommand.AlarmRelease:
                AlarmOn = false;
                break;
            case Dlt645RelayCommand.KeepPower:
                KeepPower = true;
                break;
            case Dlt645RelayCommand.KeepPowerRelease:
                KeepPower = false;
                break;
            default:
                return Error(Dlt645Function.Control, Dlt645ErrorWord.Other);
        }

        return Reply(Dlt645Control.NormalReply(Dlt645Function.Control), []);
    }

    /// <summary>14H: DI, password, operator code, value. Only the clock (04000101 date, 04000102 time) is writable.</summary>
    private byte[] Write(byte[] data)
    {
        if (data.Length < 12) return Error(Dlt645Function.WriteData, Dlt645ErrorWord.Other);
        if (Dlt645Password.Read(data.AsSpan(4)) != Password)
        {
            PasswordRefusals++;
            return Error(Dlt645Function.WriteData, Dlt645ErrorWord.Unauthorized);
        }

        var value = data.AsSpan(12);
        var clock = Clock;
        DateTime set;
        switch ((Dlt645DataId)BinaryPrimitives.ReadUInt32LittleEndian(data))
        {
            case Dlt645DataId.Date when value.Length == 4:
                int d = Bcd.DecodeByte(value[1]), mo = Bcd.DecodeByte(value[2]), y = Bcd.DecodeByte(value[3]);
                if (y < 0 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(2000 + y, mo)) return Error(Dlt645Function.WriteData, Dlt645ErrorWord.Other);
                set = new DateTime(2000 + y, mo, d) + clock.TimeOfDay;
                break;
            case Dlt645DataId.Time when value.Length == 3:
                int s = Bcd.DecodeByte(value[0]), mi = Bcd.DecodeByte(value[1]), h = Bcd.DecodeByte(value[2]);
                if (s is < 0 or > 59 || mi is < 0 or > 59 || h is < 0 or > 23) return Error(Dlt645Function.WriteData, Dlt645ErrorWord.Other);
                set = clock.Date + new TimeSpan(h, mi, s);
                break;
            default:
                return Error(Dlt645Function.WriteData, Dlt645ErrorWord.Other);
        }

        _clockOffset += set - clock;
        return Reply(Dlt645Control.NormalReply(Dlt645Function.WriteData), []);
    }

    private void SetClock(byte[] data)
    {
        if (!Dlt645Frame.TryReadDateTime(data, out var time)) return;
        if (MaxBroadcastCorrection is { } max && (time - Clock).Duration() > max) return;
        _clockOffset = time - LocalNow(_time.GetUtcNow());
    }

    private bool TryValue(Dlt645DataId id, out byte[] value)
    {
        if (((uint)id & 0xFFFF0000u) == 0x05060000u) return TryFrozen((uint)id, out value);
        value = [];
        switch (id)
        {
            case Dlt645DataId.Date:
                value = new byte[4];
                Dlt645Values.EncodeDate(value, Clock);
                return true;
            case Dlt645DataId.Time:
                value = new byte[3];
                Dlt645Values.EncodeTime(value, Clock);
                return true;
            case Dlt645DataId.RunningStatus1:
                value = Word((ushort)((ClockBatteryLow ? Dlt645RunningStatus1.ClockBatteryLow : 0) | (NetWatts(_last) < 0 ? Dlt645RunningStatus1.ReverseActivePower : 0)));
                return true;
            case Dlt645DataId.RunningStatus2:
                value = Word((ushort)(NetWatts(_last) < 0 ? Dlt645RunningStatus2.ReverseActiveA | (Phases == 3 ? Dlt645RunningStatus2.ReverseActiveB | Dlt645RunningStatus2.ReverseActiveC : 0) : 0));
                return true;
            case Dlt645DataId.RunningStatus3:
                value = Word((ushort)((RelayOpen ? Dlt645RunningStatus3.RelayOpen : 0) | (RelayOpen && !ClosePermitted ? Dlt645RunningStatus3.RelayCommandOpen : 0)));
                return true;
            case Dlt645DataId.ForwardActiveEnergyBlock:
                value = Block(_forward);
                return true;
        }

        if (!Dlt645DataIdentifiers.TryGet(id, out var item) || item.Kind != Dlt645ValueKind.Number || !TryNumber(id, out var number)) return false;
        value = new byte[item.Length];
        Bcd.Encode(value, number, item.Decimals, item.Signed);
        return true;
    }

    private bool TryNumber(Dlt645DataId id, out decimal value)
    {
        value = 0;
        var sample = Sample();
        var phase = ((uint)id >> 8) & 0xFF; // DI1: 1..3 = phase A..C for 0201..0203
        switch ((uint)id >> 16)
        {
            case 0x0000 when ((uint)id & 0xFFFF) == 0:
                value = (Sum(_forward) + Sum(_reverse)) / 100m;
                return true;
            case 0x0001 or 0x0002 when ((uint)id & 0xFF) == 0 && phase <= 4:
            {
                var counters = (uint)id >> 16 == 1 ? _forward : _reverse;
                value = (phase == 0 ? Sum(counters) : counters[phase]) / 100m;
                return true;
            }

            case 0x0003 when ((uint)id & 0xFFFF) == 0:
                value = Math.Round((decimal)_reactive1, 2);
                return true;
            case 0x0004 when ((uint)id & 0xFFFF) == 0:
                value = Math.Round((decimal)_reactive2, 2);
                return true;
            case 0x0201 when phase >= 1 && phase <= Phases:
                value = Math.Round((decimal)sample.Volts[phase - 1], 1);
                return true;
            case 0x0202 when phase >= 1 && phase <= Phases:
                value = Math.Round((decimal)sample.Amps[phase - 1], 3);
                return true;
            case 0x0203 when phase <= Phases:
                value = Math.Round((decimal)(phase == 0 ? sample.Watts.Sum() : sample.Watts[phase - 1]) / 1000m, 4);
                return true;
            case 0x0204 when phase == 0:
                value = Math.Round((decimal)(sample.Watts.Sum() * sample.Tan) / 1000m, 4);
                return true;
            case 0x0206 when phase == 0:
                value = Math.Round((decimal)(sample.Watts.Sum() < 0 ? -sample.PowerFactor : sample.PowerFactor), 3);
                return true;
            default:
                return false;
        }
    }

    private (double[] Volts, double[] Amps, double[] Watts, double PowerFactor, double Tan) Sample()
    {
        var now = _time.GetUtcNow();
        var hour = LocalNow(now).TimeOfDay.TotalHours;
        var net = NetWatts(now) * (1 + (Site.Noise * Gaussian()));
        var pf = Math.Clamp(0.95 + (0.02 * Gaussian()), 0.5, 1.0);
        var volts = new double[Phases];
        var amps = new double[Phases];
        var watts = new double[Phases];
        for (var p = 0; p < Phases; p++)
        {
            volts[p] = Site.NominalVoltage + (3.0 * Math.Sin((2 * Math.PI * hour) + (2.1 * p))) + (0.5 * Gaussian());
            watts[p] = Phases == 1 ? net : net * PhaseShares[p];
            amps[p] = RelayOpen ? 0 : Math.Abs(watts[p]) / (volts[p] * pf);
            if (watts[p] < 0) amps[p] = -amps[p]; // DL/T current carries the direction in its sign bit
        }

        return (volts, amps, watts, pf, Math.Tan(Math.Acos(pf)));
    }

    /// <summary>Net active power in W (negative = export), without noise: what the counters integrate.</summary>
    private double NetWatts(DateTimeOffset utc)
    {
        if (RelayOpen) return 0;
        var h = LocalNow(utc).TimeOfDay.TotalHours;
        var load = Site.PeakLoadWatts * (0.15 + (0.35 * Bump(h, 8, 1.5)) + (0.85 * Bump(h, 19.5, 2)));
        var pv = h is > 6 and < 18 ? Site.PvPeakWatts * Math.Sin(Math.PI * (h - 6) / 12) : 0;
        return load - pv;

        static double Bump(double h, double center, double width) => Math.Exp(-((h - center) * (h - center)) / (2 * width * width));
    }

    /// <summary>Integrates the counters from the last call up to now, in steps of at most a minute, freezing at local midnight.</summary>
    private void Advance()
    {
        var now = _time.GetUtcNow();
        while (_last < now)
        {
            var step = now - _last < IntegrationStep ? now - _last : IntegrationStep;
            var watts = NetWatts(_last);
            var tariff = TariffAt(LocalNow(_last).Hour);
            var centiKwh = Math.Abs(watts) * step.TotalHours / 1000 * 100;
            if (watts >= 0)
            {
                _forwardRest[tariff] += centiKwh;
                var whole = Math.Floor(_forwardRest[tariff]);
                _forward[tariff] += (long)whole;
                _forwardRest[tariff] -= whole;
                _reactive1 += watts * 0.33 * step.TotalHours / 1000;
            }
            else
            {
                _reverseRest[tariff] += centiKwh;
                var whole = Math.Floor(_reverseRest[tariff]);
                _reverse[tariff] += (long)whole;
                _reverseRest[tariff] -= whole;
                _reactive2 += -watts * 0.33 * step.TotalHours / 1000;
            }

            var before = LocalNow(_last).Date;
            _last += step;
            var after = LocalNow(_last).Date;
            if (after != before)
            {
                Freeze(after);
            }
        }
    }

    private void Freeze(DateTime localMidnight)
    {
        _freezes.Insert(0, (localMidnight, (long[])_forward.Clone(), (long[])_reverse.Clone()));
        if (_freezes.Count > MaxDailyFreezes) _freezes.RemoveAt(_freezes.Count - 1);
    }

    /// <summary>0506000n (time), 0506010n (forward block), 0506020n (reverse block) for the n-th previous freeze it still holds.</summary>
    private bool TryFrozen(uint id, out byte[] value)
    {
        value = [];
        var n = (int)(id & 0xFF);
        if (n < 1 || n > _freezes.Count) return false;
        var (at, forward, reverse) = _freezes[n - 1];
        switch ((id >> 8) & 0xFF)
        {
            case 0x00:
                value = new byte[5];
                Dlt645Values.EncodeFreezeTime(value, at);
                return true;
            case 0x01:
                value = Block(forward);
                return true;
            case 0x02:
                value = Block(reverse);
                return true;
            default:
                return false;
        }
    }

    private static int TariffAt(int hour) => hour switch
    {
        >= 19 and < 21 => 1,
        (>= 8 and < 11) or (>= 17 and < 19) => 2,
        (>= 11 and < 17) or (>= 21 and < 23) => 3,
        _ => 4,
    };

    private DateTime LocalNow(DateTimeOffset utc) => DateTime.SpecifyKind(utc.UtcDateTime + Site.UtcOffset, DateTimeKind.Unspecified);

    private byte[] Reply(byte control, byte[] data)
    {
        var frame = Dlt645Frame.Build(ReplyAs ?? Address, control, data, ReplyPreambleLength);
        if (CorruptChecksum) frame[^2] = unchecked((byte)(frame[^2] + 1));
        return frame;
    }

    private byte[] Error(Dlt645Function function, Dlt645ErrorWord word) => Reply(Dlt645Control.ErrorReply(function), [(byte)word]);

    private static byte[] WithDi(Dlt645DataId id, byte[] value)
    {
        var data = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)id);
        value.CopyTo(data, 4);
        return data;
    }

    private static byte[] Word(ushort word)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, word);
        return bytes;
    }

    private static byte[] Block(long[] counters)
    {
        var bytes = new byte[20];
        Bcd.Encode(bytes.AsSpan(0, 4), Sum(counters) / 100m, 2, false);
        for (var t = 1; t <= 4; t++) Bcd.Encode(bytes.AsSpan(4 * t, 4), counters[t] / 100m, 2, false);
        return bytes;
    }

    private static long Sum(long[] counters) => counters[1] + counters[2] + counters[3] + counters[4];

    private static decimal[] Kwh(long[] counters) => [Sum(counters) / 100m, counters[1] / 100m, counters[2] / 100m, counters[3] / 100m, counters[4] / 100m];

    private double Gaussian()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
