namespace Dcu.Core.Commands.Handlers;

/// <summary>
/// Bands of "time.sync" (section "TimeSync"). After the broadcast, each meter's clock offset from the
/// DCU decides: below <see cref="IgnoreBelow"/> nothing is done (DL/T 645 meters take a broadcast only
/// within about 5 min and the offset is noise for 15-minute data); up to <see cref="CorrectBelow"/> the
/// clock is written and read back; beyond it a "meter_clock_offset" event is raised and nothing is
/// written, because a clock that far off (or a DCU clock that wrong) needs a person to look first:
/// moving a meter's clock by hours shifts its freezes and tariff periods.
/// </summary>
public sealed class TimeSyncOptions
{
    public const string SectionName = "TimeSync";

    public TimeSpan IgnoreBelow { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan CorrectBelow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A corrected clock must read back within this of the DCU (default 10 s: two reads and a second's BCD resolution).</summary>
    public TimeSpan CorrectedWithin { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Meters read at once across all buses (each bus still serves one request at a time).</summary>
    public int Parallelism { get; set; } = 16;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (IgnoreBelow < TimeSpan.Zero || IgnoreBelow > TimeSpan.FromHours(1)) problems.Add($"{SectionName}:IgnoreBelow must be 0..1 h (got {IgnoreBelow})");
        if (CorrectBelow < IgnoreBelow || CorrectBelow > TimeSpan.FromDays(1)) problems.Add($"{SectionName}:CorrectBelow must be at least IgnoreBelow and at most 1 day (got {CorrectBelow})");
        if (CorrectedWithin <= TimeSpan.Zero || CorrectedWithin > TimeSpan.FromMinutes(5)) problems.Add($"{SectionName}:CorrectedWithin must be above 0 and at most 5 min (got {CorrectedWithin})");
        if (Parallelism is < 1 or > 256) problems.Add($"{SectionName}:Parallelism must be 1..256 (got {Parallelism})");
        return problems;
    }
}
