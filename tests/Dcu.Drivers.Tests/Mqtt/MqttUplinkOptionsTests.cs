using Dcu.Drivers.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Tests.Mqtt;

public sealed class MqttUplinkOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new MqttUplinkOptions();
        Assert.Empty(options.Validate());
        Assert.Equal(1883, options.EffectivePort);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PublishTimeout);
        Assert.Equal(32, options.MaxInFlight);
        Assert.False(options.AllowUntrustedCertificates);
        Assert.Equal("dcu/dcu/status", options.ResolvedStatusTopic);
        Assert.Equal("dcu/dcu/cmd/#", options.ResolvedCommandTopicFilter);
        options.UseTls = true;
        Assert.Equal(8883, options.EffectivePort);
    }

    [Fact]
    public void Every_problem_names_its_key()
    {
        var options = new MqttUplinkOptions
        {
            Host = "",
            Port = 70000,
            ClientId = "a/b",
            MaxInFlight = 0,
            PublishTimeout = TimeSpan.Zero,
            ReconnectMinDelay = TimeSpan.FromSeconds(10),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            ClientCertificatePath = "/nonexistent/client.crt",
            StatusTopic = "dcu/#",
        };
        var problems = options.Validate();
        Assert.Contains("Mqtt:Port must be 1..65535", problems);
        Assert.Contains("Mqtt:Host must be set", problems);
        Assert.Contains("Mqtt:MaxInFlight must be 1..65535", problems);
        Assert.Contains(problems, p => p.StartsWith("Mqtt:ClientId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Mqtt:PublishTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Mqtt:ReconnectMaxDelay", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Mqtt:UseTls", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Mqtt:ClientKeyPath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Mqtt:ClientCertificatePath file not found", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Mqtt:StatusTopic", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new MqttUplink(options, NullLogger<MqttUplink>.Instance));
    }

    [Fact]
    public void ToString_never_shows_the_password()
    {
        var options = new MqttUplinkOptions { Username = "dcu", Password = "hunter2" };
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("dcu@127.0.0.1:1883", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backoff_grows_exponentially_with_full_jitter_within_min_and_max()
    {
        var options = new MqttUplinkOptions { ReconnectMinDelay = TimeSpan.FromSeconds(1), ReconnectMaxDelay = TimeSpan.FromSeconds(60) };
        await using var uplink = new MqttUplink(options, NullLogger<MqttUplink>.Instance);
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            var cap = Math.Min(60, Math.Pow(2, Math.Min(attempt - 1, 30)));
            var delays = Enumerable.Range(0, 200).Select(_ => uplink.Backoff(attempt).TotalSeconds).ToArray();
            Assert.All(delays, d => Assert.InRange(d, 1, cap));
            if (attempt >= 8) Assert.True(delays.Max() > 30 && delays.Min() < 30, "jitter spreads over [min, max]");
        }
    }
}
