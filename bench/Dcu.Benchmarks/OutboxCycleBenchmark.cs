using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Outbox;

namespace Dcu.Benchmarks;

/// <summary>
/// What the outbox writer spends per reading on the publisher's side of a wave, without MQTT: a full
/// outbox drained as the publisher drains it (number a wave of batches, then finish them), timed per
/// phase, with the sent history on and off. The writer's cost per reading here bounds the end-to-end rate.
/// </summary>
internal static class OutboxCycleBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var n = args.Int("n", 200_000);
        var batch = args.Int("batch", 500);
        var inflight = args.Int("inflight", 8);
        var root = Path.Combine(args.String("dir", Path.GetTempPath()), "dcu-bench-cycle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Console.WriteLine($"outbox-cycle: n={n} batch={batch} in-flight batches={inflight} cores={Environment.ProcessorCount}");
        try
        {
            var readings = OutboxBenchmark.MakeReadings(n);
            await CycleAsync(Path.Combine(root, "warm.db"), readings[..20_000], batch, inflight, 2, print: false);
            foreach (var keep in new[] { 0, 2, 0, 2 })
                await CycleAsync(Path.Combine(root, $"cycle-{keep}-{Guid.NewGuid():N}.db"), readings, batch, inflight, keep, print: true);
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
    }

    private static async Task CycleAsync(string path, Core.Model.Reading[] readings, int batch, int inflight, int keepSentDays, bool print)
    {
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = path, MaxItems = 10_000_000, KeepSentDays = keepSentDays });
        var sw = Stopwatch.StartNew();
        foreach (var r in readings) await outbox.AppendAsync(r, CancellationToken.None);
        await outbox.FlushAsync(CancellationToken.None);
        var append = sw.Elapsed;
        TimeSpan open = TimeSpan.Zero, finish = TimeSpan.Zero;
        var waves = 0;
        while (true)
        {
            sw.Restart();
            var batches = await outbox.OpenBatchesAsync(OutboxLane.Readings, batch, inflight, CancellationToken.None);
            open += sw.Elapsed;
            if (batches.Length == 0) break;
            sw.Restart();
            await outbox.FinishBatchesAsync([new SeqRange(batches[0].Seq, batches[^1].Seq)], CancellationToken.None);
            finish += sw.Elapsed;
            waves++;
        }
        if (!print) return;
        var k = readings.Length / 1000.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  keep-sent-days {keepSentDays}: append {readings.Length / append.TotalSeconds,9:N0}/s | {waves} waves: open {open.TotalMilliseconds / k:0.00} ms, finish {finish.TotalMilliseconds / k:0.00} ms per 1,000 readings | drain {readings.Length / (open + finish).TotalSeconds,9:N0}/s, sent items kept {outbox.GetStats().SentItems:N0}"));
    }
}
