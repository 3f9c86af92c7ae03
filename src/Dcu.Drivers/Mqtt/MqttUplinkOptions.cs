namespace Dcu.Drivers.Mqtt;

/// <summary>
/// Settings of the MQTT uplink, bound from the <c>Mqtt</c> section of dcu.json. In topic
/// settings, <c>{id}</c> stands for <see cref="ClientId"/>.
/// </summary>
public sealed class MqttUplinkOptions
{
    public const string SectionName = "Mqtt";

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Broker port; when unset, 8883 with TLS and 1883 without.</summary>
    public int? Port { get; set; }

    public string ClientId { get; set; } = "dcu";

    public string? Username { get; set; }

    /// <summary>Never logged.</summary>
    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>PEM file with the CA certificate(s) that sign the broker's certificate. Without it the system store is used.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM client certificate for mutual TLS; needs <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key (PKCS#8, PKCS#1 or SEC1) of the client certificate.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>Accept any broker certificate. For bench tests only.</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a QoS 1 publish may wait for its PUBACK before it counts as failed and the link as suspect.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Publishes waiting for their PUBACK at once; keep at or below the broker's Receive Maximum.</summary>
    public int MaxInFlight { get; set; } = 32;

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection that lasted this long resets the reconnect backoff.</summary>
    public TimeSpan StableConnectionAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the supervisor pings the broker while the link looks up.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retained status topic: birth on connect, Last Will on an unclean drop.</summary>
    public string StatusTopic { get; set; } = "dcu/{id}/status";

    public string OnlinePayload { get; set; } = """{"state":"online"}""";

    /// <summary>The Last Will, also published before a clean stop.</summary>
    public string OfflinePayload { get; set; } = """{"state":"offline"}""";

    /// <summary>Subscribed at QoS 1 on every connect; empty to receive no commands.</summary>
    public string CommandTopicFilter { get; set; } = "dcu/{id}/cmd/#";

    /// <summary>
    /// Also subscribed at QoS 1 on every connect: the DCP's batch acknowledgements (Core's Topics.Ack).
    /// Messages on it come out of ReadCommandsAsync like commands; empty to not subscribe.
    /// </summary>
    public string AckTopic { get; set; } = "dcu/{id}/ack";

    /// <summary>Commands buffered for the reader; more are dropped and counted.</summary>
    public int CommandQueueCapacity { get; set; } = 256;

    /// <summary>
    /// MQTT 5 session expiry. Above zero the session (subscriptions, queued QoS 1 commands)
    /// survives reconnects (CleanStart=false); zero starts clean every time.
    /// </summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    public int EffectivePort => Port ?? (UseTls ? 8883 : 1883);

    public string ResolvedStatusTopic => Resolve(StatusTopic);

    public string ResolvedCommandTopicFilter => Resolve(CommandTopicFilter);

    public string ResolvedAckTopic => Resolve(AckTopic);

    /// <summary>Every problem found, each naming its key; empty when the settings are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        const string p = SectionName + ":";
        if (string.IsNullOrWhiteSpace(Host)) problems.Add($"{p}Host must be set");
        if (Port is < 1 or > 65535) problems.Add($"{p}Port must be 1..65535");
        if (string.IsNullOrWhiteSpace(ClientId)) problems.Add($"{p}ClientId must be set");
        if (AckTopic.AsSpan().IndexOfAny('+', '#') >= 0) problems.Add($"{p}AckTopic must be a plain topic, without '+' or '#'");
        else if (ClientId.IndexOfAny(['/', '+', '#']) >= 0) problems.Add($"{p}ClientId must not contain '/', '+' or '#'");
        if (Password is not null && string.IsNullOrEmpty(Username)) problems.Add($"{p}Username must be set when Mqtt:Password is");
        if (!UseTls && (CaCertificatePath ?? ClientCertificatePath ?? ClientKeyPath) is not null)
            problems.Add($"{p}UseTls must be true when certificate paths are set");
        if (ClientCertificatePath is null != ClientKeyPath is null)
            problems.Add($"{p}ClientCertificatePath and {p}ClientKeyPath must be set together");
        CheckFile(problems, "CaCertificatePath", CaCertificatePath);
        CheckFile(problems, "ClientCertificatePath", ClientCertificatePath);
        CheckFile(problems, "ClientKeyPath", ClientKeyPath);
        CheckRange(problems, "KeepAlive", KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(ushort.MaxValue));
        CheckRange(problems, "ConnectTimeout", ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        CheckRange(problems, "PublishTimeout", PublishTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        CheckRange(problems, "ReconnectMinDelay", ReconnectMinDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        CheckRange(problems, "ReconnectMaxDelay", ReconnectMaxDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        if (ReconnectMaxDelay < ReconnectMinDelay) problems.Add($"{p}ReconnectMaxDelay must be >= Mqtt:ReconnectMinDelay");
        CheckRange(problems, "StableConnectionAfter", StableConnectionAfter, TimeSpan.Zero, TimeSpan.FromDays(1));
        CheckRange(problems, "HealthCheckInterval", HealthCheckInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1));
        CheckRange(problems, "SessionExpiry", SessionExpiry, TimeSpan.Zero, TimeSpan.FromSeconds(uint.MaxValue - 1));
        if (MaxInFlight is < 1 or > 65535) problems.Add($"{p}MaxInFlight must be 1..65535");
        if (CommandQueueCapacity is < 1 or > 1_000_000) problems.Add($"{p}CommandQueueCapacity must be 1..1000000");
        if (string.IsNullOrWhiteSpace(StatusTopic)) problems.Add($"{p}StatusTopic must be set");
        else if (StatusTopic.IndexOfAny(['+', '#']) >= 0) problems.Add($"{p}StatusTopic must not contain wildcards");
        return problems;
    }

    string Resolve(string topic) => topic.Replace("{id}", ClientId, StringComparison.Ordinal);

    static void CheckRange(List<string> problems, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max) problems.Add($"{SectionName}:{key} must be {min:c}..{max:c}");
    }

    static void CheckFile(List<string> problems, string key, string? path)
    {
        if (path is not null && !File.Exists(path)) problems.Add($"{SectionName}:{key} file not found: {path}");
    }

    /// <summary>For logs: everything but the password.</summary>
    public override string ToString() =>
        $"{(UseTls ? "mqtts" : "mqtt")}://{(Username is null ? "" : Username + "@")}{Host}:{EffectivePort} client {ClientId}";
}
