using Dcu.Core.Commands;
using Dcu.Core.Outbox;
using Dcu.Drivers.Cellular;
using Dcu.Drivers.Simulation;
using Dcu.Host.Technician;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Host.Tests.Technician;

/// <summary>The console's "status" shows the modem's snapshot when there is a modem, and nothing of it otherwise.</summary>
public sealed class ConsoleStatusCellularTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-console-cellular-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Status_shows_the_modem_with_the_iccid_tail_only()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = Path.Combine(_dir.FullName, "o.db") }, time);
        await using var modem = new CellularModem(new SimulatedAtModem(time), new CellularModemOptions(), time);
        await modem.PollAsync(CancellationToken.None);
        var request = new CommandRequest("s-1", ConsoleStatusHandler.CommandName, 1, CommandArgs.Empty);

        var with = await new ConsoleStatusHandler(() => true, outbox, cellular: modem.Snapshot).ExecuteAsync(request, CancellationToken.None);
        var cellular = with.Data!["cellular"]!.AsObject();
        Assert.Equal("sim:modem", cellular["port"]!.GetValue<string>());
        Assert.Equal("RegisteredHome", cellular["registration"]!.GetValue<string>());
        Assert.Equal("EUtran", cellular["technology"]!.GetValue<string>());
        Assert.Equal("Ready", cellular["sim"]!.GetValue<string>());
        Assert.Equal("...7890", cellular["iccid"]!.GetValue<string>());
        Assert.Equal(-79, cellular["signalDbm"]!.GetValue<int>());
        Assert.Equal(55, cellular["signalQuality"]!.GetValue<int>());
        Assert.Equal("2026-01-05T08:00:00Z", cellular["lastPoll"]!.GetValue<string>());
        Assert.DoesNotContain("89490200001234567890", with.Data.ToJsonString(), StringComparison.Ordinal);

        var without = await new ConsoleStatusHandler(() => true, outbox).ExecuteAsync(request, CancellationToken.None);
        Assert.False(without.Data!.ContainsKey("cellular"));
    }
}
