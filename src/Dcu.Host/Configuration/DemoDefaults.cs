namespace Dcu.Host.Configuration;

/// <summary>
/// The embedded default behind <c>--demo</c>: two simulated RS485 lines with six Modbus meters of
/// the shipped profiles, read every 10 s (instantaneous values), and a simulated PLC module with
/// twenty DL/T 645-2007 meters on a lossy, slow power line; every meter's energy registers are
/// read every minute; a simulated cellular modem whose signal wobbles, polled every 10 s, gives the
/// heartbeat its signal.
/// A --config file and DCU_ variables still override any key.
/// </summary>
public static class DemoDefaults
{
    public static IEnumerable<KeyValuePair<string, string?>> Values(string dataDirectory)
    {
        var v = new Dictionary<string, string?>
        {
            ["Dcu:Id"] = "demo-dcu",
            ["Dcu:DataDirectory"] = dataDirectory,
            ["Dcu:HeartbeatInterval"] = "00:00:30",
            ["Buses:0:Name"] = "sim-rs485-1",
            ["Buses:0:Type"] = "SimulatedModbusRtu",
            ["Buses:0:BaudRate"] = "9600",
            ["Buses:1:Name"] = "sim-rs485-2",
            ["Buses:1:Type"] = "SimulatedModbusRtu",
            ["Buses:1:BaudRate"] = "19200",
            ["Collection:Tasks:0:Name"] = "instant-10s",
            ["Collection:Tasks:0:Interval"] = "00:00:10",
            ["Buses:2:Name"] = "sim-plc-1",
            ["Buses:2:Type"] = "SimulatedPlc",
            ["Buses:2:MaxConcurrency"] = "4",
            ["Buses:2:ResponseTimeout"] = "00:00:05",
            ["Buses:2:Simulation:LatencyMin"] = "00:00:00.200",
            ["Buses:2:Simulation:LatencyMax"] = "00:00:00.800",
            ["Buses:2:Simulation:LossRate"] = "0.02",
            ["Collection:Tasks:1:Name"] = "energy-1min",
            ["Collection:Tasks:1:Interval"] = "00:01:00",
            ["Collection:Tasks:1:Quantities:0"] = "1.0.1.8.0",
            ["Collection:Tasks:1:Quantities:1"] = "1.0.2.8.0",
            ["Cellular:Enabled"] = "true",
            ["Cellular:Simulated"] = "true",
            ["Cellular:PollInterval"] = "00:00:10",
        };
        string[] instant = ["1.0.32.7.0", "1.0.31.7.0", "1.0.16.7.0", "1.0.14.7.0"];
        for (var i = 0; i < instant.Length; i++) v[$"Collection:Tasks:0:Quantities:{i}"] = instant[i];
        (string Id, int Bus, int Unit, string Profile)[] meters =
        [
            ("sdm630-01", 1, 1, "eastron-sdm630"),
            ("sdm630-02", 1, 2, "eastron-sdm630"),
            ("sdm120-01", 1, 3, "eastron-sdm120"),
            ("em24-01", 2, 1, "carlo-gavazzi-em24"),
            ("b23-01", 2, 2, "abb-b23"),
            ("sdm120-02", 2, 3, "eastron-sdm120"),
        ];
        for (var i = 0; i < meters.Length; i++)
        {
            v[$"Meters:{i}:Id"] = meters[i].Id;
            v[$"Meters:{i}:Bus"] = $"sim-rs485-{meters[i].Bus}";
            v[$"Meters:{i}:Address"] = meters[i].Unit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            v[$"Meters:{i}:Profile"] = meters[i].Profile;
            v[$"Collection:Tasks:0:Meters:{i}"] = meters[i].Id; // instantaneous values from the RS485 meters only
        }
        for (var p = 0; p < 20; p++)
        {
            var i = meters.Length + p;
            v[$"Meters:{i}:Id"] = $"plc-{p + 1:D2}";
            v[$"Meters:{i}:Bus"] = "sim-plc-1";
            v[$"Meters:{i}:Address"] = $"{1001 + p:D12}";
        }
        return v;
    }
}
