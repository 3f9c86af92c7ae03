using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace Dcu.Drivers.Mqtt;

/// <summary>
/// An in-process MQTT broker on 127.0.0.1 (MQTTnet.Server), for the <c>--demo</c> default and unit
/// tests. Not for production: per-client queues drop the oldest message after 1,000.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    public const int DefaultPort = 1883;

    readonly MqttServer _server;
    readonly ILogger? _logger;
    int _disposed;

    EmbeddedBroker(MqttServer server, int port, ILogger? logger)
    {
        _server = server;
        Port = port;
        _logger = logger;
    }

    public int Port { get; }

    public bool IsRunning => _server.IsStarted;

    /// <summary>Starts a broker on 127.0.0.1:<paramref name="port"/>.</summary>
    /// <exception cref="InvalidOperationException">The port is in use.</exception>
    public static async Task<EmbeddedBroker> StartAsync(int port = DefaultPort, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        cancellationToken.ThrowIfCancellationRequested();

        // MQTTnet logs a failed bind and carries on, so find out ourselves first.
        EnsurePortFree(port);

        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        // Tools such as mosquitto_sub connect with an empty client id and expect the broker to assign
        // one (MQTT 5 Assigned Client Identifier). MQTTnet 5 does this only for MQTT 5 clients (an
        // MQTT 3.1.1 client with an empty id is refused: dotnet/MQTTnet#2181), so the docs say -V mqttv5.
        server.ValidatingConnectionAsync += e =>
        {
            if (string.IsNullOrEmpty(e.ClientId))
            {
                e.AssignedClientIdentifier = "auto-" + Guid.NewGuid().ToString("N")[..12];
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.Success;
            }
            return Task.CompletedTask;
        };
        try
        {
            await server.StartAsync();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            server.Dispose();
            throw PortInUse(port, ex);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        logger?.LogInformation("Embedded MQTT broker listening on 127.0.0.1:{Port}", port);
        return new EmbeddedBroker(server, port, logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _server.StopAsync();
        }
        finally
        {
            _server.Dispose();
            _logger?.LogInformation("Embedded MQTT broker on 127.0.0.1:{Port} stopped", Port);
        }
    }

    static void EnsurePortFree(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw PortInUse(port, ex);
        }
    }

    static InvalidOperationException PortInUse(int port, Exception inner) =>
        new($"port {port} on 127.0.0.1 is in use: stop the other broker or set Mqtt:Port", inner);
}
