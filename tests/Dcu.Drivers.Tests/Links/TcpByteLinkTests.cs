using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Dcu.Drivers.Links;
using Dcu.Drivers.Modbus;
using Dcu.Testing;

namespace Dcu.Drivers.Tests.Links;

public class TcpByteLinkTests
{
    [Fact]
    public async Task Modbus_tcp_master_reads_over_a_real_socket()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = new byte[12];
            await stream.ReadExactlyAsync(request);
            var reply = Convert.FromHexString("00010000000701040443663333");
            BinaryPrimitives.WriteUInt16BigEndian(reply, BinaryPrimitives.ReadUInt16BigEndian(request));
            await stream.WriteAsync(reply);
            return Convert.ToHexString(request);
        });

        await using var link = new TcpByteLink(new TcpLinkOptions { Host = "127.0.0.1", Port = port });
        await link.OpenAsync(CancellationToken.None);
        var master = new ModbusTcpMaster(link);
        var data = await master.ReadRegistersAsync(1, ModbusFunction.ReadInputRegisters, 0, 2, CancellationToken.None);

        Assert.Equal(230.2f, BinaryPrimitives.ReadSingleBigEndian(data));
        Assert.Equal("000100000006010400000002", await Eventually.WithinAsync(server, "the server"));
        Assert.Equal($"127.0.0.1:{port}", link.Name);
    }

    [Fact]
    public async Task A_closed_connection_reads_zero_and_the_next_open_reconnects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var link = new TcpByteLink(new TcpLinkOptions { Host = "127.0.0.1", Port = port });

        await link.OpenAsync(CancellationToken.None);
        using (var first = await listener.AcceptTcpClientAsync())
        {
            first.Client.Shutdown(SocketShutdown.Both);
        }

        Assert.Equal(0, await link.ReadAsync(new byte[4], CancellationToken.None));
        Assert.False(link.IsConnected);
        await Assert.ThrowsAsync<IOException>(async () => await link.WriteAsync(new byte[] { 1 }, CancellationToken.None));

        await link.OpenAsync(CancellationToken.None);
        using var second = await listener.AcceptTcpClientAsync();
        Assert.True(link.IsConnected);
        await link.WriteAsync(new byte[] { 0x2A }, CancellationToken.None);
        var buffer = new byte[1];
        await second.GetStream().ReadExactlyAsync(buffer);
        Assert.Equal(0x2A, buffer[0]);
    }

    [Fact]
    public async Task A_read_cancelled_by_timeout_leaves_the_link_usable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var link = new TcpByteLink(new TcpLinkOptions { Host = "127.0.0.1", Port = port });
        await link.OpenAsync(CancellationToken.None);
        using var peer = await listener.AcceptTcpClientAsync();

        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await link.ReadAsync(new byte[4], cts.Token));
        }

        await peer.GetStream().WriteAsync(new byte[] { 7, 8 });
        var buffer = new byte[4];
        var read = await link.ReadAsync(buffer, CancellationToken.None);
        Assert.True(read >= 1);
        Assert.Equal(7, buffer[0]);
    }
}
