using System.Net.Sockets;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Links;

/// <summary>
/// A TCP connection (Modbus TCP device or gateway) as an <see cref="IByteLink"/>. A failed or
/// closed connection is marked broken; the next <see cref="OpenAsync"/> reconnects.
/// </summary>
public sealed class TcpByteLink : IByteLink
{
    private readonly TcpLinkOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _scratch = new byte[512];
    private Socket? _socket;
    private bool _broken;

    public TcpByteLink(TcpLinkOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => $"{_options.Host}:{_options.Port}";

    public int BitsPerCharacter => 0;

    public int BaudRate => 0;

    /// <summary>True while a connection is up and has not failed.</summary>
    public bool IsConnected => _socket is { Connected: true } && !_broken;

    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        if (IsConnected)
        {
            return;
        }

        CloseSocket();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timer = new CancellationTokenSource(_options.ConnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {Name} took longer than {_options.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _broken = false;
        _logger.LogInformation("TCP link {Name} connected", Name);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var socket = RequireOpen();
        try
        {
            while (!frame.IsEmpty)
            {
                var sent = await socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                frame = frame[sent..];
            }
        }
        catch (SocketException ex)
        {
            _broken = true;
            throw new IOException($"Sending to {Name} failed: {ex.SocketErrorCode}", ex);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var socket = RequireOpen();
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _broken = true;
                _logger.LogInformation("TCP link {Name} closed by the peer", Name);
            }

            return read;
        }
        catch (SocketException ex)
        {
            _broken = true;
            throw new IOException($"Receiving from {Name} failed: {ex.SocketErrorCode}", ex);
        }
    }

    public void DiscardInput()
    {
        if (_socket is not { Connected: true } socket || _broken)
        {
            return;
        }

        try
        {
            while (socket.Available > 0)
            {
                _ = socket.Receive(_scratch, Math.Min(socket.Available, _scratch.Length), SocketFlags.None);
            }
        }
        catch (SocketException)
        {
            _broken = true;
        }
    }

    public ValueTask DisposeAsync()
    {
        CloseSocket();
        return ValueTask.CompletedTask;
    }

    private Socket RequireOpen()
    {
        if (_socket is not { } socket)
        {
            throw new InvalidOperationException($"TCP link {Name} is not open.");
        }

        return _broken ? throw new IOException($"TCP link {Name} is broken; open it again to reconnect.") : socket;
    }

    private void CloseSocket()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
