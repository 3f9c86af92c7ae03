using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dcu.Drivers.Mqtt;

/// <summary>
/// The MQTT link to the DCP over MQTTnet 5. One supervisor task owns the connection: it
/// (re)connects with the Last Will, subscribes to the command filter, publishes the retained
/// birth message, pings while the link looks up, and reconnects with exponential backoff and
/// full jitter. Publishing never resends: the outbox keeps what was not acknowledged.
/// </summary>
public sealed class MqttUplink : IUplink, IAsyncDisposable
{
    readonly MqttUplinkOptions _options;
    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly Func<ReadOnlyMemory<byte>> _birthPayload;
    readonly IMqttClient _client;
    readonly SemaphoreSlim _inFlight;
    readonly Channel<UplinkMessage> _commands;
    readonly CancellationTokenSource _stop = new();
    readonly object _gate = new();

    TaskCompletionSource _connected = NewSignal();
    TaskCompletionSource _wake = NewSignal();
    Task? _supervisor;
    volatile bool _linkUp;
    volatile bool _suspect;
    int _stopped;

    long _connects, _disconnects, _connectFailures, _publishesOk, _publishesFailed, _publishTimeouts, _commandsReceived, _commandsDropped;
    string? _lastError;
    DateTimeOffset? _lastErrorAt, _connectedSince;

    /// <param name="birthPayload">The retained status published on every connect; by default <see cref="MqttUplinkOptions.OnlinePayload"/>.</param>
    public MqttUplink(MqttUplinkOptions options, ILogger<MqttUplink> logger, TimeProvider? timeProvider = null, Func<ReadOnlyMemory<byte>>? birthPayload = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException("Invalid MQTT settings: " + string.Join("; ", problems), nameof(options));

        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        var online = Encoding.UTF8.GetBytes(options.OnlinePayload);
        _birthPayload = birthPayload ?? (() => online);
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _commands = Channel.CreateBounded<UplinkMessage>(new BoundedChannelOptions(options.CommandQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = false,
            SingleWriter = true,
        });
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>True once connected, subscribed and the birth message is acknowledged, until the link drops.</summary>
    public bool IsConnected => _linkUp && !_suspect && _client.IsConnected;

    public LinkStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new LinkStats(IsConnected, _connectedSince,
                    Interlocked.Read(ref _connects), Interlocked.Read(ref _disconnects), Interlocked.Read(ref _connectFailures),
                    Interlocked.Read(ref _publishesOk), Interlocked.Read(ref _publishesFailed), Interlocked.Read(ref _publishTimeouts),
                    Interlocked.Read(ref _commandsReceived), Interlocked.Read(ref _commandsDropped), _lastError, _lastErrorAt);
            }
        }
    }

    /// <summary>Starts the supervisor and returns at once; use <see cref="WaitConnectedAsync"/> to wait for the link.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) != 0, this);
        lock (_gate)
        {
            if (_supervisor is not null) throw new InvalidOperationException("The MQTT uplink is already started.");
            _logger.LogInformation("MQTT uplink starting: {Endpoint}", _options);
            _supervisor = Task.Run(() => SuperviseAsync(_stop.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <summary>Stops the supervisor, publishes the offline status, and disconnects cleanly.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _stop.CancelAsync();
        if (_supervisor is not null)
        {
            try { await _supervisor.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        _commands.Writer.TryComplete();

        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
                await _client.PublishAsync(StatusMessage(Encoding.UTF8.GetBytes(_options.OfflinePayload)), linked.Token);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), linked.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("MQTT clean disconnect failed: {Error}", ex.Message);
            }
        }
        _linkUp = false;
        _logger.LogInformation("MQTT uplink stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _client.Dispose();
        _stop.Dispose();
    }

    public async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        while (!IsConnected)
        {
            var signal = Volatile.Read(ref _connected).Task;
            if (!signal.IsCompleted)
            {
                await signal.WaitAsync(cancellationToken);
                continue;
            }
            // The link just dropped and the supervisor (woken by the drop) has not reset the signal yet.
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken);
        }
    }

    public async Task<bool> PublishAsync(UplinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsConnected) return Failed("not connected");

        // The window is waited for without the publish timeout: slots free up as soon as the
        // publishes in flight are acknowledged or time out themselves.
        try
        {
            using var slot = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            await _inFlight.WaitAsync(slot.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed("uplink stopping");
        }

        using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stop.Token);
        try
        {
            if (!IsConnected) return Failed("not connected");

            var mqttMessage = new MqttApplicationMessageBuilder()
                .WithTopic(message.Topic)
                .WithPayload(new ReadOnlySequence<byte>(message.Payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(message.Retain)
                .Build();
            var result = await _client.PublishAsync(mqttMessage, linked.Token);
            if (result.IsSuccess)
            {
                Interlocked.Increment(ref _publishesOk);
                return true;
            }
            _logger.LogWarning("MQTT broker refused publish to {Topic}: {Reason} {ReasonString}", message.Topic, result.ReasonCode, result.ReasonString);
            return Failed($"publish refused: {result.ReasonCode}");
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // MQTTnet may report a cancelled wait as its own timeout exception: the caller asked, so say so.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            // No PUBACK in time: the link may be half-open. Let the supervisor check it.
            Interlocked.Increment(ref _publishTimeouts);
            _logger.LogWarning("MQTT publish to {Topic} got no PUBACK within {Timeout}; link suspect", message.Topic, _options.PublishTimeout);
            MarkSuspect();
            return Failed("publish timed out");
        }
        catch (Exception ex)
        {
            // Link dropped while waiting, or the uplink is stopping.
            _logger.LogDebug(ex, "MQTT publish to {Topic} failed", message.Topic);
            return Failed("publish failed: " + ex.Message);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async IAsyncEnumerable<UplinkMessage> ReadCommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var command in _commands.Reader.ReadAllAsync(cancellationToken))
            yield return command;
    }

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

            var filter = _options.ResolvedCommandTopicFilter;
            if (!string.IsNullOrEmpty(filter))
            {
                step = "subscribe";
                var subscribe = new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                    .Build();
                var granted = await _client.SubscribeAsync(subscribe, linked.Token);
                var bad = granted.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
                if (bad is not null)
                {
                    ConnectFailed($"broker refused subscription to {filter}: {bad.ResultCode}");
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
    }

    void ConnectFailed(string message)
    {
        Interlocked.Increment(ref _connectFailures);
        RecordError(message);
        _logger.LogWarning("MQTT connect to {Endpoint} failed: {Error}", _options, message);
    }

    bool Failed(string reason)
    {
        Interlocked.Increment(ref _publishesFailed);
        RecordError(reason);
        return false;
    }

    void RecordError(string message)
    {
        lock (_gate)
        {
            _lastError = message;
            _lastErrorAt = _time.GetUtcNow();
        }
    }

    void MarkSuspect()
    {
        _suspect = true;
        Wake();
    }

    void Wake() => Interlocked.Exchange(ref _wake, NewSignal()).TrySetResult();

    void ResetConnectedSignal()
    {
        var current = Volatile.Read(ref _connected);
        if (current.Task.IsCompleted) Interlocked.CompareExchange(ref _connected, NewSignal(), current);
    }

    /// <summary>Exponential backoff with full jitter: uniform in [min, min(max, min·2^(attempt-1))].</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var min = _options.ReconnectMinDelay.TotalMilliseconds;
        var cap = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, min * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(min + Random.Shared.NextDouble() * (cap - min));
    }

    Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Runs on MQTTnet's dispatch queue: hand over and return.
        var m = e.ApplicationMessage;
        if (_commands.Writer.TryWrite(new UplinkMessage(m.Topic, m.Payload.ToArray(), m.Retain)))
        {
            Interlocked.Increment(ref _commandsReceived);
        }
        else
        {
            Interlocked.Increment(ref _commandsDropped);
            _logger.LogWarning("MQTT command queue full: dropped command on {Topic}", m.Topic);
        }
        return Task.CompletedTask;
    }

    Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (_linkUp) Wake();
        return Task.CompletedTask;
    }

    static string Flatten(Exception ex)
    {
        var text = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            text += " -> " + inner.Message;
        return text;
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
