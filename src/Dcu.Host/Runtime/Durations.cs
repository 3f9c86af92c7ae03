using System.Globalization;

namespace Dcu.Host.Runtime;

/// <summary>Durations for event details a person reads: "5 min 3 s", "2 h 4 min", "3 d 2 h".</summary>
internal static class Durations
{
    public static string Format(TimeSpan t)
    {
        var neg = t < TimeSpan.Zero;
        if (neg) t = t.Duration();
        string text = t switch
        {
            { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalMilliseconds} ms"),
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} min {t.Seconds} s"),
            { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{t.Hours} h {t.Minutes} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalDays} d {t.Hours} h"),
        };
        return neg ? "-" + text : text;
    }

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
