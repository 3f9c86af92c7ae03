using Dcu.Core.Abstractions;
using Dcu.Drivers.Mqtt;
using Dcu.Testing;
using static Dcu.Drivers.Tests.Mqtt.MqttTestSettings;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>Mutual TLS against Mosquitto with a throwaway CA (require_certificate true).</summary>
public sealed class MqttUplinkTlsTests : IDisposable
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    readonly TestCertificates _certs = TestCertificates.Create();

    public void Dispose() => _certs.Dispose();

    MosquittoTls BrokerTls => new(_certs.CaCertFile, _certs.ServerCertFile, _certs.ServerKeyFile, RequireCertificate: true);

    MqttUplinkOptions Tls(int port, string clientId, string host = "127.0.0.1")
    {
        var options = Fast(port, clientId);
        options.Host = host;
        options.UseTls = true;
        options.CaCertificatePath = _certs.CaCertFile;
        options.ClientCertificatePath = _certs.ClientCertFile;
        options.ClientKeyPath = _certs.ClientKeyFile;
        return options;
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Connects_with_the_client_certificate_and_publishes(string host)
    {
        await using var broker = await MosquittoBroker.StartNewAsync(BrokerTls);
        await using var dcp = await MqttProbe.ConnectAsync(broker.Port, "dcu/tls1/#");
        await using var uplink = new MqttUplink(Tls(broker.TlsPort!.Value, "tls1", host), new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);
        await uplink.WaitConnectedAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(await uplink.PublishAsync(new UplinkMessage("dcu/tls1/data", Utf8("over tls")), CancellationToken.None));
        await Eventually.TrueAsync(() => dcp.Saw("dcu/tls1/data", "over tls"), "the DCP sees the TLS publish");
    }

    [Fact]
    public async Task Without_a_client_certificate_the_broker_refuses_and_the_uplink_keeps_trying()
    {
        await using var broker = await MosquittoBroker.StartNewAsync(BrokerTls);
        var options = Tls(broker.TlsPort!.Value, "tls2");
        options.ClientCertificatePath = null;
        options.ClientKeyPath = null;
        await using var uplink = new MqttUplink(options, new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => uplink.Stats.ConnectFailures >= 2, "refused TLS connects, retried");
        Assert.False(uplink.IsConnected);
        Assert.Equal(0, uplink.Stats.Connects);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        await using var broker = await MosquittoBroker.StartNewAsync(BrokerTls);
        var options = Tls(broker.TlsPort!.Value, "tls3");
        options.ClientCertificatePath = _certs.RogueClientCertFile;
        options.ClientKeyPath = _certs.RogueClientKeyFile;
        await using var uplink = new MqttUplink(options, new ListLogger<MqttUplink>());
        await uplink.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => uplink.Stats.ConnectFailures >= 2, "refused TLS connects");
        Assert.Equal(0, uplink.Stats.Connects);
    }

    [Fact]
    public async Task A_broker_certificate_not_signed_by_the_configured_CA_is_rejected_by_the_uplink()
    {
        await using var broker = await MosquittoBroker.StartNewAsync(BrokerTls);
        using var otherPki = TestCertificates.Create();
        var options = Tls(broker.TlsPort!.Value, "tls4");
        options.CaCertificatePath = otherPki.CaCertFile;
        var logger = new ListLogger<MqttUplink>();
        await using var uplink = new MqttUplink(options, logger);
        await uplink.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => uplink.Stats.ConnectFailures >= 2, "rejected broker certificate");
        Assert.Equal(0, uplink.Stats.Connects);
    }
}
