namespace Dcu.Drivers.Mqtt;

/// <summary>A snapshot of the uplink's counters, for the status report and the console.</summary>
public sealed record LinkStats(
    bool Connected,
    DateTimeOffset? ConnectedSince,
    long Connects,
    long Disconnects,
    long ConnectFailures,
    long PublishesOk,
    long PublishesFailed,
    long PublishTimeouts,
    long CommandsReceived,
    long CommandsDropped,
    string? LastError,
    DateTimeOffset? LastErrorAt);
