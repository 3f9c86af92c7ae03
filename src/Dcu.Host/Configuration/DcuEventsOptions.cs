using System.Globalization;

namespace Dcu.Host.Configuration;

/// <summary>
/// Section "DcuEvents": the DCU's own events (Runtime watchers): power_restored, uplink_down/up,
/// clock_step, tamper. The meter reading rules are in section "EventRules".
/// </summary>
public sealed class DcuEventsOptions
{
    public const string SectionName = "DcuEvents";

    /// <summary>How often the "last alive" time in the run marker is renewed: power_restored says when power went to within this.</summary>
    public TimeSpan AliveInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>clock_step when the wall clock moved against the monotonic clock by more than this between two checks.</summary>
    public TimeSpan ClockStepThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the wall clock is compared with the monotonic clock.</summary>
    public TimeSpan ClockCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>uplink_down only for an outage at least this long (shorter drops are logged, not reported); uplink_up follows it.</summary>
    public TimeSpan UplinkMinOutage { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>GPIO line of the enclosure's tamper switch; null (default): no tamper input.</summary>
    public int? TamperPin { get; set; }

    /// <summary>GPIO chip of <see cref="TamperPin"/> (/dev/gpiochipN); null: the platform's default controller.</summary>
    public int? TamperGpioChip { get; set; }

    /// <summary>"High" or "Low": the level of <see cref="TamperPin"/> that means tampered (the enclosure is open).</summary>
    public string TamperActiveLevel { get; set; } = "High";

    /// <summary>How often the tamper input is sampled.</summary>
    public TimeSpan TamperPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Samples in a row the tamper input must agree on before tamper / tamper_cleared (1..100).</summary>
    public int TamperDebounce { get; set; } = 3;

    public bool TamperActiveLow => string.Equals(TamperActiveLevel, "Low", StringComparison.OrdinalIgnoreCase);

    /// <summary>Problems, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max) p.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{key} must be {min}..{max} (got {value})"));
        }
        Span(nameof(AliveInterval), AliveInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Span(nameof(ClockStepThreshold), ClockStepThreshold, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        Span(nameof(ClockCheckInterval), ClockCheckInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Span(nameof(UplinkMinOutage), UplinkMinOutage, TimeSpan.Zero, TimeSpan.FromHours(1));
        Span(nameof(TamperPollInterval), TamperPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        if (TamperPin is < 0 or > 4096) p.Add($"{SectionName}:{nameof(TamperPin)} must be 0..4096 (got {TamperPin})");
        if (TamperGpioChip is < 0 or > 64) p.Add($"{SectionName}:{nameof(TamperGpioChip)} must be 0..64 (got {TamperGpioChip})");
        if (TamperGpioChip is not null && TamperPin is null) p.Add($"{SectionName}:{nameof(TamperGpioChip)} is set but {nameof(TamperPin)} is not");
        if (!string.Equals(TamperActiveLevel, "High", StringComparison.OrdinalIgnoreCase) && !TamperActiveLow)
            p.Add($"{SectionName}:{nameof(TamperActiveLevel)} must be High or Low (got '{TamperActiveLevel}')");
        if (TamperDebounce is < 1 or > 100) p.Add($"{SectionName}:{nameof(TamperDebounce)} must be 1..100 (got {TamperDebounce})");
        return p;
    }
}
