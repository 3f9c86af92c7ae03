using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Host.Runtime;

namespace Dcu.Host.Tests.Runtime;

public sealed class LedStatesTests
{
    private static readonly StatusSnapshot Healthy = new(null, UplinkConnected: true, OutboxWriteFailing: false, DeadBuses: []);

    [Fact]
    public void Healthy_blinks_Run_lights_Uplink_and_leaves_Fault_dark()
    {
        var s = LedStates.From(Healthy);
        Assert.Equal(new LedStates(LedMode.Blink, LedMode.On, LedMode.Off), s);
        Assert.True(s.IsLit(StatusLed.Run, blinkOn: true));
        Assert.False(s.IsLit(StatusLed.Run, blinkOn: false));
        Assert.True(s.IsLit(StatusLed.Uplink, blinkOn: false));
        Assert.False(s.IsLit(StatusLed.Fault, blinkOn: true));
    }

    [Fact]
    public void A_problem_makes_Run_steady_in_both_halves_of_the_blink()
    {
        var s = LedStates.From(Healthy with { Problem = "a DCU loop has ended" });
        Assert.Equal(LedMode.On, s.Run);
        Assert.True(s.IsLit(StatusLed.Run, blinkOn: true));
        Assert.True(s.IsLit(StatusLed.Run, blinkOn: false));
    }

    [Fact]
    public void Uplink_follows_the_link()
    {
        Assert.Equal(LedMode.Off, LedStates.From(Healthy with { UplinkConnected = false }).Uplink);
        Assert.Equal(LedMode.On, LedStates.From(Healthy).Uplink);
    }

    [Fact]
    public void Fault_is_on_while_the_outbox_cannot_write_or_a_bus_is_dead()
    {
        var writeFailing = Healthy with { OutboxWriteFailing = true };
        Assert.Equal(LedMode.On, LedStates.From(writeFailing).Fault);
        Assert.Equal("the outbox cannot write", writeFailing.Fault());

        var dead = Healthy with { DeadBuses = ["rs485-2"] };
        Assert.Equal(LedMode.On, LedStates.From(dead).Fault);
        Assert.Equal("all meters offline on bus rs485-2", dead.Fault());

        // A fault is not a problem of the DCU itself: Run keeps blinking.
        Assert.Equal(LedMode.Blink, LedStates.From(dead).Run);
        Assert.Null(Healthy.Fault());
    }

    [Fact]
    public void Stopped_is_all_dark()
    {
        foreach (var led in Enum.GetValues<StatusLed>())
        {
            Assert.False(LedStates.Stopped.IsLit(led, blinkOn: true));
            Assert.False(LedStates.Stopped.IsLit(led, blinkOn: false));
        }
    }

    [Fact]
    public void A_bus_is_dead_only_when_it_has_meters_and_none_is_online()
    {
        static MeterHealthSnapshot Meter(string id, string bus, bool online) => new(new MeterId(id), bus, online, online ? 0 : 3, null, null, online ? null : "timeout");

        Assert.Empty(StatusSnapshot.DeadBusesOf([]));
        Assert.Equal(["plc-1", "rs485-2"], StatusSnapshot.DeadBusesOf(
        [
            Meter("a", "rs485-1", true), Meter("b", "rs485-1", false),    // one answers: alive
            Meter("c", "rs485-2", false), Meter("d", "rs485-2", false),   // none answers: dead
            Meter("e", "plc-1", false),
        ]));
    }
}
