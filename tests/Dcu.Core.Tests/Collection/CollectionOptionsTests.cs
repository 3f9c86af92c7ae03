using Dcu.Core.Collection;
using Dcu.Core.Model;

namespace Dcu.Core.Tests.Collection;

public sealed class CollectionOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var o = new CollectionOptions { Tasks = [new CollectionTaskOptions { Name = "energy", Quantities = ["1.0.1.8.0"] }] };
        Assert.Empty(o.Validate());
        Assert.Equal((1, 3, 4), (o.Retries, o.OfflineThreshold, o.OfflinePollDivisor));
        var t = Assert.Single(o.BuildTasks());
        Assert.Equal(("energy", TimeSpan.FromMinutes(15)), (t.Name, t.Interval));
        Assert.Equal([ObisCode.ActiveEnergyImport], t.Quantities);
        Assert.Empty(t.Meters);
        Assert.True(t.Includes(new MeterId("any")));
    }

    [Fact]
    public void Problems_name_their_keys()
    {
        var o = new CollectionOptions
        {
            Retries = -1,
            OfflineThreshold = 0,
            OfflinePollDivisor = 0,
            Tasks =
            [
                new() { Name = "a", Interval = TimeSpan.FromMinutes(7) },
                new() { Name = "a", Interval = TimeSpan.FromMinutes(15), Offset = TimeSpan.FromMinutes(15), Quantities = ["1.0.1.8.0", "1.0.x"], Meters = ["m1", " "] },
                new() { Name = "" },
            ],
        };

        var problems = o.Validate();

        Assert.Contains(problems, p => p.StartsWith("Collection:Retries ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:OfflineThreshold ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:OfflinePollDivisor ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:0:Interval must divide 24 h", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:1:Name 'a' is used", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:1:Offset ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:1:Quantities:1 ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:1:Meters:1 ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Collection:Tasks:2:Name is required", StringComparison.Ordinal));
        Assert.Equal(9, problems.Count);
        Assert.Throws<InvalidOperationException>(() => o.BuildTasks());
    }

    [Fact]
    public void A_task_checks_its_own_invariants() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CollectionTask("x", [], [], TimeSpan.FromMinutes(7)));
}
