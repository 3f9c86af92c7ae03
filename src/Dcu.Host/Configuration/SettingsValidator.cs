using System.Globalization;
using Dcu.Core.Archive;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Profiles;

namespace Dcu.Host.Configuration;

/// <summary>
/// Checks the whole configuration before anything starts. Every problem names its key
/// ("Meters:3:Bus 'rs485-9' is not in Buses"), so a technician can fix the file without reading code.
/// </summary>
public static class SettingsValidator
{
    public static IReadOnlyList<string> Validate(DcuSettings s, IReadOnlyDictionary<string, MeterProfile>? profiles)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(s.Dcu.Id)) problems.Add("Dcu:Id is required");
        else if (!s.Dcu.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            problems.Add($"Dcu:Id '{s.Dcu.Id}' may hold only letters, digits, '-' and '_'");
        if (string.IsNullOrWhiteSpace(s.Dcu.DataDirectory)) problems.Add("Dcu:DataDirectory is required");
        if (s.Dcu.HeartbeatInterval < TimeSpan.FromSeconds(1) || s.Dcu.HeartbeatInterval > TimeSpan.FromDays(1))
            problems.Add($"Dcu:HeartbeatInterval must be 1 s..1 day (got {s.Dcu.HeartbeatInterval})");
        if (!Runtime.UplinkLinkProbe.IsValidSetting(s.Dcu.UplinkLink))
            problems.Add($"Dcu:UplinkLink must be auto, ethernet, cellular or wifi (got '{s.Dcu.UplinkLink}')");

        var buses = new Dictionary<string, BusOptions>(StringComparer.Ordinal);
        for (var i = 0; i < s.Buses.Count; i++) ValidateBus(s.Buses[i], $"Buses:{i}", buses, problems);

        var meters = new HashSet<string>(StringComparer.Ordinal);
        var units = new HashSet<(string, string)>();
        for (var i = 0; i < s.Meters.Count; i++)
        {
            var m = s.Meters[i];
            var key = $"Meters:{i}";
            if (string.IsNullOrWhiteSpace(m.Id)) problems.Add($"{key}:Id is required");
            else if (!meters.Add(m.Id)) problems.Add($"{key}:Id '{m.Id}' is used by another meter");
            var bus = MeterEntryRules.Check(new MeterEntry { Id = m.Id, Bus = m.Bus, Address = m.Address, Profile = m.Profile, Turnaround = m.Turnaround },
                FieldNames.Config(key), buses, profiles, problems);
            if (bus is not null && MeterEntryRules.IsAddressValid(bus, m.Address) && !units.Add((m.Bus, m.Address)))
                problems.Add($"{key}:Address {m.Address} is used by another meter on bus '{m.Bus}'");
        }

        problems.AddRange(s.Collection.Validate());
        for (var t = 0; t < s.Collection.Tasks.Count; t++)
            for (var j = 0; j < s.Collection.Tasks[t].Meters.Count; j++)
                if (s.Collection.Tasks[t].Meters[j] is { Length: > 0 } id && !meters.Contains(id))
                    problems.Add($"Collection:Tasks:{t}:Meters:{j} '{id}' is not in Meters");

        if (s.Outbox.MaxItems < 1000) problems.Add($"Outbox:MaxItems must be at least 1000 (got {s.Outbox.MaxItems})");
        if (s.Outbox.BatchSize is < 1 or > 100_000) problems.Add($"Outbox:BatchSize must be 1..100000 (got {s.Outbox.BatchSize})");
        if (s.Outbox.QueueCapacity < 1) problems.Add($"Outbox:QueueCapacity must be at least 1 (got {s.Outbox.QueueCapacity})");
        if (s.Publisher.BatchSize is < 1 or > 10_000) problems.Add($"Publisher:BatchSize must be 1..10000 (got {s.Publisher.BatchSize})");
        if (s.Publisher.MaxInFlight is < 1 or > 1000) problems.Add($"Publisher:MaxInFlight must be 1..1000 (got {s.Publisher.MaxInFlight})");
        if (!Dcu.Core.Uplink.Encodings.BatchEncodings.TryParse(s.Publisher.Encoding, out _)) problems.Add($"Publisher:Encoding must be one of {Dcu.Core.Uplink.Encodings.BatchEncodings.AcceptedNames} (got '{s.Publisher.Encoding}')");
        problems.AddRange(s.Mqtt.Validate());
        problems.AddRange(s.Commands.Validate());
        problems.AddRange(s.EventRules.Validate());
        for (var i = 0; i < s.EventRules.ProducerMeters.Count; i++)
            if (s.EventRules.ProducerMeters[i] is { Length: > 0 } id && !string.IsNullOrWhiteSpace(id) && !meters.Contains(id))
                problems.Add($"EventRules:ProducerMeters:{i} '{id}' is not in Meters");
        problems.AddRange(s.DcuEvents.Validate());
        problems.AddRange(s.Relay.Validate());
        problems.AddRange(s.TimeSync.Validate());
        problems.AddRange(s.Console.Validate());
        problems.AddRange(s.Cellular.Validate());
        problems.AddRange(s.Board.Validate());
        // The tamper switch is configured in DcuEvents: an LED on the same line of the same chip would drive the switch's input.
        if (s.DcuEvents.TamperPin is { } tamper && s.DcuEvents.TamperGpioChip == s.Board.GpioChip)
            foreach (var (led, pin) in s.Board.LedPins().Fitted())
                if (pin == tamper) problems.Add($"{BoardOptions.SectionName}:Leds:{led} {pin} is {DcuEventsOptions.SectionName}:TamperPin: each LED needs its own line");
        return problems;
    }

    /// <summary>Relay/clock control keys of DL/T 645 and PLC buses. Password values never appear in a problem.</summary>
    private static void ValidateControl(BusOptions b, string key, List<string> problems)
    {
        var any = b.RelayPassword is not null || b.ClockPassword is not null || b.OperatorCode is not null || b.RelayConnect is not null;
        if (!b.IsDlt645 && !b.IsPlc)
        {
            if (any) problems.Add($"{key}: RelayPassword, ClockPassword, OperatorCode and RelayConnect apply to DL/T 645 and PLC buses only (this is a {b.Type} bus)");
            return;
        }
        if (b.RelayPassword is not null && !Dlt645Password.TryParse(b.RelayPassword, out _))
            problems.Add($"{key}:RelayPassword must be 8 hex digits, the level then the password (e.g. \"02\" + \"123456\"); value not shown");
        if (b.ClockPassword is not null && !Dlt645Password.TryParse(b.ClockPassword, out _))
            problems.Add($"{key}:ClockPassword must be 8 hex digits, the level then the password (e.g. \"04\" + \"123456\"); value not shown");
        if (b.OperatorCode is not null && !uint.TryParse(b.OperatorCode, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _) || b.OperatorCode is { Length: not 8 })
            problems.Add($"{key}:OperatorCode must be 8 hex digits, e.g. \"00000001\" (got '{b.OperatorCode}')");
        if (b.RelayConnect is { } connect && connect is not (Dlt645RelayCommand.CloseDirect or Dlt645RelayCommand.ClosePermitted))
            problems.Add($"{key}:RelayConnect must be CloseDirect or ClosePermitted (got {connect})");
    }

    private static void ValidateBus(BusOptions b, string key, Dictionary<string, BusOptions> buses, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(b.Name)) problems.Add($"{key}:Name is required");
        else if (!buses.TryAdd(b.Name, b)) problems.Add($"{key}:Name '{b.Name}' is used by another bus");
        if (b.ResponseTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(10) || timeout > TimeSpan.FromMinutes(2)))
            problems.Add($"{key}:ResponseTimeout must be 10 ms..2 min (got {timeout})");
        if (b.Retries is < 0 or > 10) problems.Add($"{key}:Retries must be 0..10 (got {b.Retries})");
        if (b.IsPlc ? b.MaxConcurrency is < 1 or > 16 : b.MaxConcurrency != 1)
            problems.Add(b.IsPlc
                ? $"{key}:MaxConcurrency must be 1..16 (got {b.MaxConcurrency})"
                : $"{key}:MaxConcurrency must be 1 on a {b.Type} bus: one request at a time on a serial line or gateway (got {b.MaxConcurrency})");
        if (b.Type is BusType.ModbusRtu or BusType.Dlt645 or BusType.Plc && string.IsNullOrWhiteSpace(b.Port))
            problems.Add($"{key}:Port is required for a {b.Type} bus (e.g. /dev/ttyAMA0)");
        if (b.IsSerial)
        {
            if (b.EffectiveBaudRate is < 300 or > 921_600) problems.Add($"{key}:BaudRate must be 300..921600 (got {b.BaudRate})");
            if (b.DataBits is < 7 or > 8) problems.Add($"{key}:DataBits must be 7 or 8 (got {b.DataBits})");
            if (b.StopBits is < 1 or > 2) problems.Add($"{key}:StopBits must be 1 or 2 (got {b.StopBits})");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(b.Host)) problems.Add($"{key}:Host is required for a ModbusTcp bus");
            if (b.TcpPort is < 1 or > 65535) problems.Add($"{key}:TcpPort must be 1..65535 (got {b.TcpPort})");
        }
        if (b.MeterUtcOffset is { } offset)
        {
            if (!b.IsDlt645 && !b.IsPlc) problems.Add($"{key}:MeterUtcOffset applies to DL/T 645 and PLC buses only (this is a {b.Type} bus)");
            else if (offset < TimeSpan.FromHours(-14) || offset > TimeSpan.FromHours(14) || offset.Ticks % TimeSpan.TicksPerMinute != 0)
                problems.Add($"{key}:MeterUtcOffset must be whole minutes within -14:00..+14:00 (got {offset})");
        }
        ValidateControl(b, key, problems);
        if (b.IsPlc && !Dlt645Address.TryParse(b.MainNodeAddress, out _))
            problems.Add($"{key}:MainNodeAddress '{b.MainNodeAddress}' must be 12 decimal digits");
        if (b.Type == BusType.SimulatedPlc)
        {
            var sim = b.Simulation;
            if (sim.LatencyMin < TimeSpan.Zero || sim.LatencyMax < sim.LatencyMin || sim.LatencyMax > TimeSpan.FromMinutes(1))
                problems.Add($"{key}:Simulation:LatencyMax must be at least Simulation:LatencyMin, both 0..1 min (got {sim.LatencyMin}..{sim.LatencyMax})");
            if (sim.LossRate is < 0 or > 0.5) problems.Add($"{key}:Simulation:LossRate must be 0..0.5 (got {sim.LossRate})");
        }
    }
}
