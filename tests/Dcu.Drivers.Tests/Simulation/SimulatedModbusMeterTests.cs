using Dcu.Core.Model;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Time.Testing;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Simulation;

public class SimulatedModbusMeterTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Values_look_like_a_real_site_over_a_day()
    {
        var time = new FakeTimeProvider(Midnight);
        var meter = new SimulatedModbusMeter(1, ShippedProfiles["eastron-sdm630"], time, seed: 3, new SimulatedSiteOptions { UtcOffset = TimeSpan.Zero });
        var powers = new List<double>();
        for (var minute = 0; minute < 24 * 60; minute += 10)
        {
            time.Advance(TimeSpan.FromMinutes(10));
            Assert.InRange(meter.Read(ObisCode.VoltageL1), 220, 240);
            Assert.InRange(meter.Read(ObisCode.VoltageL3), 220, 240);
            Assert.InRange(meter.Read(ObisCode.Frequency), 49.9, 50.1);
            Assert.InRange(meter.Read(ObisCode.PowerFactor), 0.8, 1.0);
            var p = meter.Read(ObisCode.ActivePowerTotal);
            var phases = meter.Read(new ObisCode(1, 0, 36, 7, 0)) + meter.Read(new ObisCode(1, 0, 56, 7, 0)) + meter.Read(new ObisCode(1, 0, 76, 7, 0));
            Assert.Equal(p, phases, 1e-6);
            var i1 = meter.Read(ObisCode.CurrentL1);
            Assert.Equal(Math.Abs(meter.Read(new ObisCode(1, 0, 36, 7, 0))) / (meter.Read(ObisCode.VoltageL1) * meter.Read(ObisCode.PowerFactor)), i1, 1e-6);
            powers.Add(p);
        }
        // Evening peak well above the night base.
        Assert.True(powers.Skip(19 * 6).Take(6).Average() > 2.5 * powers.Skip(2 * 6).Take(6).Average());
    }

    [Fact]
    public void Energy_counters_only_rise_and_follow_power_times_time()
    {
        var time = new FakeTimeProvider(Midnight);
        var site = new SimulatedSiteOptions { PvPeakWatts = 6000, UtcOffset = TimeSpan.Zero, InitialImportKwh = 500 };
        var meter = new SimulatedModbusMeter(1, ShippedProfiles["abb-b23"], time, seed: 4, site);
        double import = meter.Read(ObisCode.ActiveEnergyImport), export = meter.Read(ObisCode.ActiveEnergyExport);
        double rimport = meter.Read(ObisCode.ReactiveEnergyImport);
        double expectedImport = 0, expectedExport = 0;
        var step = TimeSpan.FromSeconds(30);
        for (var t = TimeSpan.Zero; t < TimeSpan.FromDays(1); t += step)
        {
            var mid = time.GetUtcNow() + step / 2;
            var net = meter.LoadWatts(mid) - meter.PvWatts(mid);
            if (net > 0) expectedImport += net * step.TotalHours / 1000; else expectedExport -= net * step.TotalHours / 1000;
            time.Advance(step);
            var i = meter.Read(ObisCode.ActiveEnergyImport);
            var e = meter.Read(ObisCode.ActiveEnergyExport);
            var r = meter.Read(ObisCode.ReactiveEnergyImport);
            Assert.True(i >= import && e >= export && r >= rimport, $"counter went backwards at {t}");
            (import, export, rimport) = (i, e, r);
        }
        Assert.Equal(500 + expectedImport, import, 0.01 * expectedImport);
        Assert.Equal(expectedExport, export, 0.01 * expectedExport + 0.01);
        Assert.True(expectedExport > 1, "PV exported at midday");
    }

    [Fact]
    public void A_clock_stepping_back_never_lowers_a_counter()
    {
        var time = new SteppableClock { Now = Midnight.AddHours(19) };
        var meter = new SimulatedModbusMeter(1, ShippedProfiles["eastron-sdm120"], time, seed: 5);
        time.Now += TimeSpan.FromHours(1);
        var before = meter.Read(ObisCode.ActiveEnergyImport);
        Assert.True(before > meter.Site.InitialImportKwh);
        time.Now = Midnight;
        Assert.True(meter.Read(ObisCode.ActiveEnergyImport) >= before);
    }

    [Fact]
    public void Same_seed_same_values()
    {
        static double[] Run(int seed)
        {
            var time = new FakeTimeProvider(Midnight);
            var meter = new SimulatedModbusMeter(1, ShippedProfiles["carlo-gavazzi-em24"], time, seed);
            return Enumerable.Range(0, 20).Select(_ => { time.Advance(TimeSpan.FromMinutes(1)); return meter.Read(ObisCode.ActivePowerTotal); }).ToArray();
        }
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void Single_phase_profile_puts_all_load_on_l1()
    {
        var time = new FakeTimeProvider(Midnight.AddHours(19));
        var meter = new SimulatedModbusMeter(1, ShippedProfiles["eastron-sdm120"], time, seed: 6);
        var p = meter.Read(ObisCode.ActivePowerTotal);
        Assert.Equal(Math.Abs(p) / (meter.Read(ObisCode.VoltageL1) * meter.Read(ObisCode.PowerFactor)), meter.Read(ObisCode.CurrentL1), 1e-6);
    }

    private sealed class SteppableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
