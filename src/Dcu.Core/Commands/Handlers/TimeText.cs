using System.Globalization;

namespace Dcu.Core.Commands.Handlers;

/// <summary>How the time commands write and read instants: ISO 8601 UTC with milliseconds ("2026-11-25T16:30:00.000Z").</summary>
internal static class TimeText
{
    public static string Iso(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static double Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1);
}
