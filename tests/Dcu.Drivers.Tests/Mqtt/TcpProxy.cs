using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>
/// A loopback TCP forwarder between the uplink and the broker, to break the link on purpose:
/// <see cref="Cut"/> drops every connection without an MQTT DISCONNECT (the broker sends the
/// Last Will); <see cref="Freeze"/> stops moving bytes but keeps the sockets open (a half-open link).
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly int _targetPort;
    readonly CancellationTokenSource _stop = new();
    readonly ConcurrentDictionary<Pair, byte> _pairs = new();
    readonly Task _acceptLoop;
    volatile bool _frozen;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, FreeTcpPort.Get());
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Connections => _pairs.Count;

    /// <summary>Closes every open connection at once; new ones are still accepted.</summary>
    public void Cut()
    {
        foreach (var pair in _pairs.Keys) pair.Close();
    }

    /// <summary>Stops forwarding bytes on every connection, present and new, until <see cref="Thaw"/>.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Drops the frozen connections (as a NAT that finally times out) and forwards again.</summary>
    public void Thaw()
    {
        Cut();
        _frozen = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try { await _acceptLoop; } catch (Exception) { }
        _stop.Dispose();
    }

    async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token); }
            catch (Exception)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            var pair = new Pair(client, server);
            _pairs[pair] = 0;
            _ = Task.WhenAll(PumpAsync(pair, client, server), PumpAsync(pair, server, client)).ContinueWith(_ => _pairs.TryRemove(pair, out byte _), TaskScheduler.Default);
        }
    }

    async Task PumpAsync(Pair pair, Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        var frozenHere = false;
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) break;
                // Once frozen, this connection never moves a byte again: it is half-open for good.
                frozenHere |= _frozen;
                if (frozenHere) continue;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
        }
        pair.Close();
    }

    sealed class Pair(Socket client, Socket server)
    {
        int _closed;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            // Linger 0: a reset, no FIN handshake and certainly no MQTT DISCONNECT.
            foreach (var socket in new[] { client, server })
            {
                try { socket.LingerState = new LingerOption(true, 0); } catch (Exception) { }
                socket.Dispose();
            }
        }
    }
}
