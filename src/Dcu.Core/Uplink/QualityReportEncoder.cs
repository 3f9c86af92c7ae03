using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dcu.Core.Events;

namespace Dcu.Core.Uplink;

/// <summary>
/// Encodes a <see cref="DailyQualityReport"/> as the detail of a <c>collection_quality</c> event of the
/// DCU (<c>t</c> = the day's start, so a re-sent report has the same identity). The detail is compact JSON:
/// <code>
/// {"v":1,"day":"2026-03-01","from":1772323200000,"e":9600,"c":9512,"ot":9490,"rate":0.9908,
///  "meters":100,"complete":95,
///  "tasks":[{"t":"energy","i":900,"e":9600,"c":9512,"ot":9490,"n":96,"met":94,"min":0.98,"target":0.995}],
///  "miss":[{"m":"sdm630-07","t":"energy","e":96,"c":90,"x":"12-15,40"}],"more":0}
/// </code>
/// <c>e</c>/<c>c</c>/<c>ot</c>: expected, collected, collected on time; <c>i</c>: task interval in
/// seconds; <c>n</c>: intervals counted; <c>met</c>: intervals where at least <c>target</c> of the
/// meters were collected on time; <c>min</c>: the worst interval's share; <c>x</c>: indices of the
/// missed intervals of that task within the day (interval time = day start + index × <c>i</c>),
/// as ranges. Only (meter, task) pairs with misses are listed, at most <c>maxMissEntries</c>;
/// <c>more</c> counts those left out.
/// </summary>
public static class QualityReportEncoder
{
    /// <summary>The daily report goes on <c>dcu/{id}/quality</c> (a Results-lane message: ahead of every backlog).</summary>
    public const string TopicSuffix = "quality";

    public static string EncodeDetail(DailyQualityReport report, int maxMissEntries = 500)
    {
        ArgumentNullException.ThrowIfNull(report);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("day", report.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("from", report.CountedFromUnixMs);
            w.WriteNumber("e", report.Expected);
            w.WriteNumber("c", report.Collected);
            w.WriteNumber("ot", report.OnTime);
            w.WriteNumber("rate", Math.Round(report.SiteRate, 4));
            w.WriteNumber("meters", report.Meters.Count);
            w.WriteNumber("complete", report.Meters.Count(m => m.Missed == 0));
            w.WriteStartArray("tasks");
            foreach (var tc in report.Completeness)
            {
                var perMeter = report.Meters.SelectMany(m => m.Tasks).Where(t => t.Task == tc.Task).ToArray();
                w.WriteStartObject();
                w.WriteString("t", tc.Task);
                w.WriteNumber("i", (long)tc.Interval.TotalSeconds);
                w.WriteNumber("e", perMeter.Sum(t => (long)t.Expected));
                w.WriteNumber("c", perMeter.Sum(t => (long)t.Collected));
                w.WriteNumber("ot", perMeter.Sum(t => (long)t.OnTime));
                w.WriteNumber("n", tc.Intervals);
                w.WriteNumber("met", tc.IntervalsAtTarget);
                w.WriteNumber("min", Math.Round(tc.MinShare, 4));
                w.WriteNumber("target", report.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("miss");
            var listed = 0;
            var more = 0;
            foreach (var m in report.Meters)
            {
                foreach (var t in m.Tasks)
                {
                    if (t.MissedUnixMs.Count == 0) continue;
                    if (listed >= maxMissEntries) { more++; continue; }
                    listed++;
                    w.WriteStartObject();
                    w.WriteString("m", m.Meter.Value);
                    w.WriteString("t", t.Task);
                    w.WriteNumber("e", t.Expected);
                    w.WriteNumber("c", t.Collected);
                    w.WriteString("x", Ranges(t.MissedUnixMs, report.DayStartUnixMs, (long)t.Interval.TotalMilliseconds));
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteNumber("more", more);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>"12-15,40": interval indices within the day, consecutive runs collapsed.</summary>
    internal static string Ranges(IReadOnlyList<long> intervalsUnixMs, long dayStartUnixMs, long intervalMs)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < intervalsUnixMs.Count)
        {
            var first = (intervalsUnixMs[i] - dayStartUnixMs) / intervalMs;
            var last = first;
            while (i + 1 < intervalsUnixMs.Count && (intervalsUnixMs[i + 1] - dayStartUnixMs) / intervalMs == last + 1) { last++; i++; }
            if (sb.Length > 0) sb.Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{first}");
            if (last > first) sb.Append(CultureInfo.InvariantCulture, $"-{last}");
            i++;
        }
        return sb.ToString();
    }
}
