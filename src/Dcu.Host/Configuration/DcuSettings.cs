using System.Diagnostics.CodeAnalysis;
using Dcu.Core.Collection;
using Dcu.Core.Commands;
using Dcu.Core.Events;
using Dcu.Core.Commands.Handlers;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Dcu.Drivers.Mqtt;
using Dcu.Host.Technician;
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

    public CommandOptions Commands { get; init; } = new();

    public EventRulesOptions EventRules { get; init; } = new();

    public DcuEventsOptions DcuEvents { get; init; } = new();

    /// <summary>Limits of the relay commands (section "Relay").</summary>
    public RelayCommandOptions Relay { get; init; } = new();

    /// <summary>Bands of "time.sync" (section "TimeSync").</summary>
    public TimeSyncOptions TimeSync { get; init; } = new();

    /// <summary>The technician console (section "Console"), off by default.</summary>
    public ConsoleOptions Console { get; init; } = new();

    /// <summary>The cellular modem's AT port (section "Cellular"), off by default.</summary>
    public CellularOptions Cellular { get; init; } = new();

    /// <summary>The board's status LEDs (section "Board"), none driven by default.</summary>
    public BoardOptions Board { get; init; } = new();

    /// <summary>True when no broker was configured: in demo mode an embedded broker is started.</summary>
    public bool MqttConfigured { get; init; }

    /// <summary>Binds every section. Throws <see cref="InvalidOperationException"/> naming the key for unknown keys and unconvertible values.</summary>
    public static DcuSettings Bind(IConfiguration configuration)
    {
        static void Strict(BinderOptions o) => o.ErrorOnUnknownConfiguration = true;

        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Dcu", "Buses", "Meters", "Collection", "Outbox", "Publisher", "Mqtt", CommandOptions.SectionName, "EventRules", "DcuEvents", "Logging", RelayCommandOptions.SectionName, TimeSyncOptions.SectionName, ConsoleOptions.SectionName, CellularOptions.SectionName, BoardOptions.SectionName };
        foreach (var section in configuration.GetChildren())
            if (!known.Contains(section.Key))
                throw new InvalidOperationException($"'{section.Key}' is not a configuration section of the DCU (known: {string.Join(", ", known)})");

        // Each call site names its concrete type (s => s.Get<DcuOptions>(Strict)) rather than a generic
        // section.Get<T>: the configuration binding source generator, which NativeAOT publishing turns on,
        // can only generate binders for concrete Get<X> calls (SYSLIB1104). The JIT build uses the
        // reflection binder exactly as before.
        T Section<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(string name, Func<IConfigurationSection, T?> bind) where T : new()
        {
            var section = configuration.GetSection(name);
            // The binder names only the property ('Baud') of an unknown key, not where it is: find it ourselves.
            var unknown = new List<string>();
            FindUnknownKeys(section, typeof(T), unknown);
            if (unknown.Count > 0)
                throw new InvalidOperationException($"unknown configuration key{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)}");
            try
            {
                return bind(section) ?? new T();
            }
            catch (InvalidOperationException ex) when (ex.InnerException is not null)
            {
                // Inside lists the binder wraps "Failed to convert configuration value 'fast' at 'Buses:0:BaudRate'"
                // in a message that names nothing; surface the inner one.
                var inner = ex;
                while (inner.InnerException is InvalidOperationException next) inner = next;
                throw new InvalidOperationException(inner.Message, ex);
            }
        }

        return new DcuSettings
        {
            Dcu = Section(DcuOptions.Section, s => s.Get<DcuOptions>(Strict)),
            Buses = Section("Buses", s => s.Get<List<BusOptions>>(Strict)),
            Meters = Section("Meters", s => s.Get<List<MeterOptions>>(Strict)),
            Collection = Section(CollectionOptions.SectionName, s => s.Get<CollectionOptions>(Strict)),
            Outbox = Section("Outbox", s => s.Get<OutboxOptions>(Strict)),
            Publisher = Section("Publisher", s => s.Get<UplinkPublisherOptions>(Strict)),
            Mqtt = Section("Mqtt", s => s.Get<MqttUplinkOptions>(Strict)),
            Commands = Section(CommandOptions.SectionName, s => s.Get<CommandOptions>(Strict)),
            EventRules = Section(EventRulesOptions.SectionName, s => s.Get<EventRulesOptions>(Strict)),
            DcuEvents = Section(DcuEventsOptions.SectionName, s => s.Get<DcuEventsOptions>(Strict)),
            Relay = Section(RelayCommandOptions.SectionName, s => s.Get<RelayCommandOptions>(Strict)),
            TimeSync = Section(TimeSyncOptions.SectionName, s => s.Get<TimeSyncOptions>(Strict)),
            Console = Section(ConsoleOptions.SectionName, s => s.Get<ConsoleOptions>(Strict)),
            Cellular = Section(CellularOptions.SectionName, s => s.Get<CellularOptions>(Strict)),
            Board = Section(BoardOptions.SectionName, s => s.Get<BoardOptions>(Strict)),
            MqttConfigured = configuration["Mqtt:Host"] is not null,
        };
    }

    /// <summary>Adds the full path ("Buses:0:Baud") of every key under <paramref name="section"/> that <paramref name="type"/> has no settable property for.</summary>
    /// <remarks>
    /// Trimming / NativeAOT: this reads the public properties of the section types (annotated, so the
    /// compiler keeps their metadata) and, recursively, of list element and property types, which the
    /// analysis cannot follow (IL2072). Those nested option types are kept by the DynamicDependency
    /// attributes below; a new nested options class must be added there, or an AOT build reports all
    /// its keys as unknown (a loud start-up failure, never a silently ignored key).
    /// </remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(BusOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(SimulatedLineOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(MeterOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(CollectionTaskOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(BoardLedsOptions))]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Nested option types are kept by the DynamicDependency attributes above.")]
    private static void FindUnknownKeys(IConfigurationSection section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, List<string> unknown)
    {
        var element = ElementType(type);
        foreach (var child in section.GetChildren())
        {
            if (element is not null)
            {
                FindUnknownKeys(child, element, unknown);
                continue;
            }
            if (IsScalar(type)) return;
            // Not GetProperty(name, IgnoreCase): the trim analysis counts IgnoreCase as needing non-public properties too.
            var property = Array.Find(type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance),
                p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null || property.SetMethod is null && ElementType(property.PropertyType) is null) unknown.Add(child.Path);
            else FindUnknownKeys(child, property.PropertyType, unknown);
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri);
    }
}
