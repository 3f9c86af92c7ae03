using Dcu.Core.Collection;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Drivers.Mqtt;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Configuration;

/// <summary>
/// Everything the DCU is configured with, bound once at start from the JSON file and the DCU_
/// environment overrides. Unknown keys are errors (a typo must not silently fall back to a default).
/// </summary>
public sealed class DcuSettings
{
    public DcuOptions Dcu { get; init; } = new();

    public List<BusOptions> Buses { get; init; } = [];

    public List<MeterOptions> Meters { get; init; } = [];

    public CollectionOptions Collection { get; init; } = new();

    public OutboxOptions Outbox { get; init; } = new();

    public UplinkPublisherOptions Publisher { get; init; } = new();

    public MqttUplinkOptions Mqtt { get; init; } = new();

    /// <summary>True when no broker was configured: in demo mode an embedded broker is started.</summary>
    public bool MqttConfigured { get; init; }

    /// <summary>Binds every section. Throws <see cref="InvalidOperationException"/> naming the key for unknown keys and unconvertible values.</summary>
    public static DcuSettings Bind(IConfiguration configuration)
    {
        static void Strict(BinderOptions o) => o.ErrorOnUnknownConfiguration = true;

        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Dcu", "Buses", "Meters", "Collection", "Outbox", "Publisher", "Mqtt", "Logging" };
        foreach (var section in configuration.GetChildren())
            if (!known.Contains(section.Key))
                throw new InvalidOperationException($"'{section.Key}' is not a configuration section of the DCU (known: {string.Join(", ", known)})");

        T Section<T>(string name) where T : new() => configuration.GetSection(name).Get<T>(Strict) ?? new T();

        return new DcuSettings
        {
            Dcu = Section<DcuOptions>(DcuOptions.Section),
            Buses = Section<List<BusOptions>>("Buses"),
            Meters = Section<List<MeterOptions>>("Meters"),
            Collection = Section<CollectionOptions>(CollectionOptions.SectionName),
            Outbox = Section<OutboxOptions>("Outbox"),
            Publisher = Section<UplinkPublisherOptions>("Publisher"),
            Mqtt = Section<MqttUplinkOptions>("Mqtt"),
            MqttConfigured = configuration["Mqtt:Host"] is not null,
        };
    }
}
