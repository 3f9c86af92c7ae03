using System.Text.Json;

namespace Dcu.Benchmarks;

/// <summary>Writes a DCU configuration for a simulated site of a given size, for benchmarks that run the real executable.</summary>
internal static class SiteConfig
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly string[] Profiles = ["eastron-sdm630", "eastron-sdm120", "carlo-gavazzi-em24", "abb-b23"];

    public static string Write(string dir, string dcuId, int meters, int buses, int mqttPort, string interval, string[] quantities)
    {
        var perBus = (meters + buses - 1) / buses;
        if (perBus > 247) throw new ArgumentException($"{meters} meters on {buses} buses is more than 247 per bus");
        var config = new
        {
            Dcu = new { Id = dcuId, DataDirectory = Path.Combine(dir, "data"), HeartbeatInterval = "00:00:30" },
            Buses = Enumerable.Range(1, buses).Select(b => new { Name = $"sim-{b}", Type = "SimulatedModbusRtu", BaudRate = 115200 }).ToArray(),
            Meters = Enumerable.Range(0, meters).Select(i => new
            {
                Id = $"m{i:D4}",
                Bus = $"sim-{i / perBus + 1}",
                Address = (i % perBus + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Profile = Profiles[i % Profiles.Length],
            }).ToArray(),
            Collection = new { Tasks = new[] { new { Name = "bench", Interval = interval, Quantities = quantities } } },
            Mqtt = new { Host = "127.0.0.1", Port = mqttPort },
        };
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "dcu.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config, Indented));
        return path;
    }
}
