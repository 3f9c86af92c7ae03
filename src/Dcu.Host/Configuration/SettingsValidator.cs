using System.Globalization;
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
        if (s.Dcu.HeartbeatInterval < TimeSpan.FromSeconds(1)) problems.Add($"Dcu:HeartbeatInterval must be at least 1 s (got {s.Dcu.HeartbeatInterval})");

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
            if (!buses.ContainsKey(m.Bus)) { problems.Add($"{key}:Bus '{m.Bus}' is not in Buses"); continue; }
            if (!byte.TryParse(m.Address, NumberStyles.None, CultureInfo.InvariantCulture, out var unit) || unit is < 1 or > 247)
                problems.Add($"{key}:Address '{m.Address}' must be a Modbus unit id 1..247");
            else if (!units.Add((m.Bus, m.Address)))
                problems.Add($"{key}:Address {m.Address} is used by another meter on bus '{m.Bus}'");
            if (profiles is not null && !profiles.ContainsKey(m.Profile))
                problems.Add($"{key}:Profile '{m.Profile}' is not in the profiles directory (have: {string.Join(", ", profiles.Keys.Order(StringComparer.Ordinal))})");
            if (m.Turnaround < TimeSpan.Zero || m.Turnaround > TimeSpan.FromSeconds(10)) problems.Add($"{key}:Turnaround must be 0..10 s (got {m.Turnaround})");
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
        problems.AddRange(s.Mqtt.Validate());
        return problems;
    }

    private static void ValidateBus(BusOptions b, string key, Dictionary<string, BusOptions> buses, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(b.Name)) problems.Add($"{key}:Name is required");
        else if (!buses.TryAdd(b.Name, b)) problems.Add($"{key}:Name '{b.Name}' is used by another bus");
        if (b.ResponseTimeout < TimeSpan.FromMilliseconds(10) || b.ResponseTimeout > TimeSpan.FromMinutes(1))
            problems.Add($"{key}:ResponseTimeout must be 10 ms..1 min (got {b.ResponseTimeout})");
        if (b.Retries is < 0 or > 10) problems.Add($"{key}:Retries must be 0..10 (got {b.Retries})");
        switch (b.Type)
        {
            case BusType.ModbusRtu:
                if (string.IsNullOrWhiteSpace(b.Port)) problems.Add($"{key}:Port is required for a ModbusRtu bus (e.g. /dev/ttyAMA0)");
                goto case BusType.SimulatedModbusRtu;
            case BusType.SimulatedModbusRtu:
                if (b.BaudRate is < 300 or > 921_600) problems.Add($"{key}:BaudRate must be 300..921600 (got {b.BaudRate})");
                if (b.DataBits is < 7 or > 8) problems.Add($"{key}:DataBits must be 7 or 8 (got {b.DataBits})");
                if (b.StopBits is < 1 or > 2) problems.Add($"{key}:StopBits must be 1 or 2 (got {b.StopBits})");
                break;
            case BusType.ModbusTcp:
                if (string.IsNullOrWhiteSpace(b.Host)) problems.Add($"{key}:Host is required for a ModbusTcp bus");
                if (b.TcpPort is < 1 or > 65535) problems.Add($"{key}:TcpPort must be 1..65535 (got {b.TcpPort})");
                break;
        }
    }
}
