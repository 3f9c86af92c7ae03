using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Profiles;

public class ReadPlanTests
{
    private static string Describe(ReadPlan plan) =>
        string.Join(" ", plan.Requests.Select(r => $"{(int)r.Function}:{r.Start:X4}x{r.Count}"));

    [Fact]
    public void Adjacent_registers_become_one_request()
    {
        var plan = ReadPlan.Create([Entry(0x00), Entry(0x02), Entry(0x04)]);
        Assert.Equal("4:0000x6", Describe(plan));
        Assert.Equal(3, plan.Requests[0].Entries.Count);
        Assert.False(plan.Requests[0].HasGaps);
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        Assert.Equal("4:0000x6", Describe(ReadPlan.Create([Entry(0x04), Entry(0x00), Entry(0x02)])));
    }

    [Fact]
    public void Gaps_up_to_max_gap_are_read_through()
    {
        // 0x0000..0x0001, then 0x000A: gap of 8 registers (0x0002..0x0009)
        var plan = ReadPlan.Create([Entry(0x00), Entry(0x0A)]);
        Assert.Equal("4:0000x12", Describe(plan));
        Assert.True(plan.Requests[0].HasGaps);
        Assert.Equal(20, plan.Requests[0].ByteOffsetOf(plan.Requests[0].Entries[1]));
    }

    [Fact]
    public void Gaps_beyond_max_gap_split()
    {
        Assert.Equal("4:0000x2 4:000Bx2", Describe(ReadPlan.Create([Entry(0x00), Entry(0x0B)])));
        Assert.Equal("4:0000x2 4:0004x2", Describe(ReadPlan.Create([Entry(0x00), Entry(0x04)], new ReadPlanOptions { MaxGap = 0 })));
        Assert.Equal("4:0000x4", Describe(ReadPlan.Create([Entry(0x00), Entry(0x02)], new ReadPlanOptions { MaxGap = 0 })));
    }

    [Fact]
    public void Never_more_than_125_registers()
    {
        // 100 float32 values back to back = 200 registers
        var entries = Enumerable.Range(0, 100).Select(i => Entry((ushort)(i * 2), c: (byte)(i + 1))).ToList();
        var plan = ReadPlan.Create(entries);
        Assert.All(plan.Requests, r => Assert.True(r.Count <= 125));
        Assert.Equal("4:0000x124 4:007Cx76", Describe(plan)); // a float never straddles two requests
        Assert.Equal(100, plan.Requests.Sum(r => r.Entries.Count));
    }

    [Fact]
    public void Exactly_125_registers_fit()
    {
        var entries = Enumerable.Range(0, 125).Select(i => Entry((ushort)i, RegisterType.UInt16, c: (byte)(i + 1))).ToList();
        Assert.Equal("4:0000x125", Describe(ReadPlan.Create(entries)));
        entries.Add(Entry(125, RegisterType.UInt16, c: 200));
        Assert.Equal("4:0000x125 4:007Dx1", Describe(ReadPlan.Create(entries)));
    }

    [Fact]
    public void A_smaller_meter_limit_is_honoured()
    {
        var entries = Enumerable.Range(0, 10).Select(i => Entry((ushort)(i * 2), c: (byte)(i + 1))).ToList();
        Assert.Equal("4:0000x10 4:000Ax10", Describe(ReadPlan.Create(entries, new ReadPlanOptions { MaxRegistersPerRequest = 10 })));
    }

    [Fact]
    public void Different_functions_are_never_merged()
    {
        var plan = ReadPlan.Create([
            Entry(0x00, function: ModbusFunction.ReadInputRegisters),
            Entry(0x02, function: ModbusFunction.ReadHoldingRegisters),
            Entry(0x04, function: ModbusFunction.ReadInputRegisters),
        ]);
        Assert.Equal("3:0002x2 4:0000x6", Describe(plan));
    }

    [Fact]
    public void Overlapping_and_duplicate_entries_share_registers()
    {
        var wide = Entry(0x10, RegisterType.UInt64);
        var plan = ReadPlan.Create([wide, Entry(0x12, RegisterType.UInt32, c: 1), wide]);
        Assert.Equal("4:0010x4", Describe(plan));
    }

    [Fact]
    public void Sdm630_full_profile_plan()
    {
        var plan = ReadPlan.Create(ShippedProfiles["eastron-sdm630"].Registers);
        // 0x00..0x11 (phases), gap 0x12..0x33 (34) splits; 0x34..0x35 + 0x3E (gap 8) + 0x46 (gap 6) .. 0x4F
        Assert.Equal("4:0000x18 4:0034x28", Describe(plan));
    }

    [Fact]
    public void Abb_energy_and_instantaneous_blocks_are_far_apart()
    {
        var plan = ReadPlan.Create(ShippedProfiles["abb-b23"].Registers);
        Assert.Equal("3:5000x20 3:5B00x28 3:5B2Cx1 3:5B3Ax1", Describe(plan));
    }

    [Fact]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadPlan.Create([Entry(0)], new ReadPlanOptions { MaxRegistersPerRequest = 126 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadPlan.Create([Entry(0)], new ReadPlanOptions { MaxGap = -1 }));
    }

    [Fact]
    public void Empty_input_gives_empty_plan() => Assert.Empty(ReadPlan.Create([]).Requests);
}
