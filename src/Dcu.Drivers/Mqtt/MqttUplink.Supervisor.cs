using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dcu.Drivers.Mqtt;

// The supervisor: the one task that owns the connection.
public sealed partial class MqttUplink
{
    async Task SuperviseAsync(CancellationToken stop)
    {
        var attempt = 0;
        var wasUp = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake).Task;
                var healthy = _linkUp && !_suspect && _client.IsConnected && await PingAsync(stop);
                if (healthy)
                {
                    if (attempt > 0 && _time.GetUtcNow() - _connectedSince >= _options.StableConnectionAfter) attempt = 0;
                    await IdleAsync(wake, stop);
                    continue;
                }

                if (wasUp)
                {
                    wasUp = false;
                    if (_time.GetUtcNow() - _connectedSince >= _options.StableConnectionAfter) attempt = 0;
                    LinkLost(_suspect ? "no PUBACK in time (half-open link?)" : _client.IsConnected ? "no ping reply" : "connection closed");
                }

                if (attempt > 0)
                {
                    var delay = Backoff(attempt);
                    _logger.LogInformation("MQTT reconnect attempt {Attempt} in {Delay:0.0} s", attempt + 1, delay.TotalSeconds);
                    await Task.Delay(delay, _time, stop);
                }
                attempt++;
                if (await TryConnectAsync(stop))
                {
                    wasUp = true;
                    // Just proved alive: the first ping is due after one interval, or on a wake.
                    await IdleAsync(wake, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A bug, not a link failure: make it loud, the host decides.
            _logger.LogCritical(ex, "MQTT supervisor crashed");
            throw;
        }
    }

    /// <summary>Waits one health-check interval, or less when woken (drop, suspect publish, stop).</summary>
    async Task IdleAsync(Task wake, CancellationToken stop)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
        await Task.WhenAny(wake, Task.Delay(_options.HealthCheckInterval, _time, idle.Token));
        await idle.CancelAsync();
    }

    async Task<bool> PingAsync(CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            return await _client.TryPingAsync(linked.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            return false;
        }
    }

    async Task<bool> TryConnectAsync(CancellationToken stop)
    {
        // A half-open client still claims IsConnected and refuses ConnectAsync: disconnect first.
        await DisconnectQuietlyAsync();
        _suspect = false;

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        var step = "connect";
        try
        {
            var clientOptions = BuildClientOptions();
            var result = await _client.ConnectAsync(clientOptions, linked.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                ConnectFailed($"broker refused connect: {result.ResultCode}{(string.IsNullOrEmpty(result.ReasonString) ? "" : " (" + result.ReasonString + ")")}");
                await DisconnectQuietlyAsync();
                return false;
            }

            // Commands and the DCP's acks, in one SUBSCRIBE.
            var filters = new[] { _options.ResolvedCommandTopicFilter, _options.ResolvedAckTopic }.Where(f => !string.IsNullOrEmpty(f)).Distinct().ToList();
            if (filters.Count > 0)
            {
                step = "subscribe";
                var builder = new MqttClientSubscribeOptionsBuilder();
                foreach (var filter in filters) builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
                var granted = await _client.SubscribeAsync(builder.Build(), linked.Token);
                var bad = granted.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
                if (bad is not null)
                {
                    ConnectFailed($"broker refused subscription to {bad.TopicFilter.Topic}: {bad.ResultCode}");
                    await DisconnectQuietlyAsync();
                    return false;
                }
            }

            step = "birth publish";
            var birth = await _client.PublishAsync(StatusMessage(_birthPayload()), linked.Token);
            if (!birth.IsSuccess)
            {
                ConnectFailed($"broker refused birth message on {_options.ResolvedStatusTopic}: {birth.ReasonCode}");
                await DisconnectQuietlyAsync();
                return false;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var message = timeout.IsCancellationRequested ? $"{step} timed out after {_options.ConnectTimeout}" : $"{step} failed: {Flatten(ex)}";
            ConnectFailed(message);
            await DisconnectQuietlyAsync();
            return false;
        }

        lock (_gate) _connectedSince = _time.GetUtcNow();
        Interlocked.Increment(ref _connects);
        _linkUp = true;
        _logger.LogInformation("MQTT uplink connected to {Endpoint}", _options);
        Volatile.Read(ref _connected).TrySetResult();
        RaiseConnectionChanged(true);
        return true;
    }

    MqttClientOptions BuildClientOptions()
    {
        var will = Encoding.UTF8.GetBytes(_options.OfflinePayload);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.EffectivePort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(_options.ClientId)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout)
            .WithCleanStart(_options.SessionExpiry == TimeSpan.Zero)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithWillTopic(_options.ResolvedStatusTopic)
            .WithWillPayload(will)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username)) builder.WithCredentials(_options.Username, _options.Password);
        if (_options.UseTls) builder.WithTlsOptions(MqttTls.Configure(_options));
        return builder.Build();
    }

    MqttApplicationMessage StatusMessage(ReadOnlyMemory<byte> payload) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(_options.ResolvedStatusTopic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();

    async Task DisconnectQuietlyAsync()
    {
        _linkUp = false;
        if (!_client.IsConnected) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("MQTT disconnect before reconnect: {Error}", ex.Message);
        }
    }

    void LinkLost(string reason)
    {
        _linkUp = false;
        Interlocked.Increment(ref _disconnects);
        RecordError("link lost: " + reason);
        lock (_gate) _connectedSince = null;
        ResetConnectedSignal();
        _logger.LogWarning("MQTT uplink lost: {Reason}", reason);
        RaiseConnectionChanged(false);
    }

    void ConnectFailed(string message)
    {
        Interlocked.Increment(ref _connectFailures);
        RecordError(message);
        _logger.LogWarning("MQTT connect to {Endpoint} failed: {Error}", _options, message);
    }

    /// <summary>Exponential backoff with full jitter: uniform in [min, min(max, min·2^(attempt-1))].</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var min = _options.ReconnectMinDelay.TotalMilliseconds;
        var cap = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, min * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(min + Random.Shared.NextDouble() * (cap - min));
    }
}
