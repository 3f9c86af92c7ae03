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
public sealed partial class MqttUplink : IUplink, IAsyncDisposable
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

    /// <summary>
    /// Raised with true when the link comes up (<see cref="IsConnected"/> turns true) and with false
    /// when the supervisor finds it lost; not raised by <see cref="StopAsync"/>. Runs on the
    /// supervisor: keep handlers short (hand the work to a queue).
    /// </summary>
    public event Action<bool>? ConnectionChanged;

    void RaiseConnectionChanged(bool connected)
    {
        try { ConnectionChanged?.Invoke(connected); }
        catch (Exception ex) { _logger.LogError(ex, "A ConnectionChanged handler failed"); }
    }

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

            var builder = new MqttApplicationMessageBuilder()
                .WithTopic(message.Topic)
                .WithPayload(new ReadOnlySequence<byte>(message.Payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(message.Retain);
            if (message.ContentType is { } contentType) builder = builder.WithContentType(contentType);
            var mqttMessage = builder.Build();
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
