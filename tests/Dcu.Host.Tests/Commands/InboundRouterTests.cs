using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Dcu.Core.Abstractions;
using Dcu.Host.Runtime;
using Dcu.Testing;

namespace Dcu.Host.Tests.Commands;

public sealed class InboundRouterTests
{
    private sealed class InboundOnly : IUplink
    {
        public Channel<UplinkMessage> Inbound { get; } = Channel.CreateUnbounded<UplinkMessage>();

        public bool IsConnected => true;

        public Task WaitConnectedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> PublishAsync(UplinkMessage message, CancellationToken cancellationToken) => Task.FromResult(true);

        public async IAsyncEnumerable<UplinkMessage> ReadCommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var m in Inbound.Reader.ReadAllAsync(cancellationToken)) yield return m;
        }

        public void Send(string topic) => Inbound.Writer.TryWrite(new UplinkMessage(topic, Encoding.UTF8.GetBytes("{}")));
    }

    [Fact]
    public async Task Routes_commands_by_prefix_and_other_topics_exactly_and_survives_a_failing_handler()
    {
        var uplink = new InboundOnly();
        var commands = new List<string>();
        var acks = new List<string>();
        var router = new InboundRouter(uplink)
            .Route("dcu/d1/cmd/", (m, _) => { if (m.Topic.EndsWith("boom", StringComparison.Ordinal)) throw new InvalidOperationException("boom"); commands.Add(m.Topic); return Task.CompletedTask; }, isPrefix: true)
            .Route("dcu/d1/ack", (m, _) => { acks.Add(m.Topic); return Task.CompletedTask; });
        using var cts = new CancellationTokenSource();
        var run = router.RunAsync(cts.Token);

        uplink.Send("dcu/d1/cmd/config.get");
        uplink.Send("dcu/d1/cmd/boom");
        uplink.Send("dcu/d1/ack");
        uplink.Send("dcu/d1/ack/extra");
        uplink.Send("dcu/d1/cmd/tasks.add");
        await Eventually.TrueAsync(() => commands.Count == 2, "two commands routed");
        await cts.CancelAsync();
        await run;

        Assert.Equal(["dcu/d1/cmd/config.get", "dcu/d1/cmd/tasks.add"], commands);
        Assert.Equal(["dcu/d1/ack"], acks);
        Assert.Equal(1, router.Unrouted);
        Assert.Equal(1, router.Failed);
    }
}
