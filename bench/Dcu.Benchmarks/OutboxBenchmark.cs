using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using LiteDB;

namespace Dcu.Benchmarks;

/// <summary>
/// Readings/s from AppendAsync to committed (FlushAsync done) through <see cref="ReadingOutbox"/>
/// with several producers, against the raw floor: the same documents built from the same
/// readings and inserted with InsertBulk, batch by batch, one transaction per batch, one thread.
/// </summary>
internal static class OutboxBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var n = args.Int("n", 200_000);
        var producers = args.Int("producers", 4);
        var batch = args.Int("batch", 1000);
        var rounds = args.Int("rounds", 2);
        var root = Path.Combine(args.String("dir", Path.GetTempPath()), "dcu-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Console.WriteLine($"outbox: n={n} producers={producers} batch={batch} rounds={rounds} cores={Environment.ProcessorCount} dir={root}");
        try
        {
            var readings = MakeReadings(n);
            // Warm-up (JIT, file system) on a small run of each.
            await OutboxAsync(Path.Combine(root, "warm-o.db"), readings[..10_000], producers, batch);
            Raw(Path.Combine(root, "warm-r.db"), readings[..10_000], batch);

            double bestOutbox = 0, bestRaw = 0;
            for (var round = 1; round <= rounds; round++)
            {
                var gc = Gcs();
                var raw = Raw(Path.Combine(root, $"raw-{round}.db"), readings, batch);
                var gcRaw = Gcs() - gc;
                gc = Gcs();
                var outbox = await OutboxAsync(Path.Combine(root, $"outbox-{round}.db"), readings, producers, batch);
                var gcOutbox = Gcs() - gc;
                Console.WriteLine($"  gc gen0/1/2: raw {gcRaw}, outbox {gcOutbox}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: outbox {outbox.Rate,9:N0} readings/s ({outbox.Batches} commits)   raw InsertBulk {raw,9:N0} readings/s   ratio {outbox.Rate / raw:0.00}"));
                bestOutbox = Math.Max(bestOutbox, outbox.Rate);
                bestRaw = Math.Max(bestRaw, raw);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best: outbox {bestOutbox:N0}/s, raw {bestRaw:N0}/s, ratio {bestOutbox / bestRaw:0.00} (targets: >= 50,000/s and >= 0.80)"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
    }

    private static GcCounts Gcs() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    private readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
    {
        public static GcCounts operator -(GcCounts a, GcCounts b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2);

        public override string ToString() => $"{Gen0}/{Gen1}/{Gen2}";
    }

    internal static Reading[] MakeReadings(int n)
    {
        ObisCode[] quantities = [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1, ObisCode.VoltageL2, ObisCode.VoltageL3, ObisCode.CurrentL1, ObisCode.ActivePowerTotal];
        string[] units = ["kWh", "V", "V", "V", "A", "kW"];
        var meters = Enumerable.Range(0, 200).Select(i => new MeterId($"sdm630-{i:000}")).ToArray();
        const long t0 = 1_767_225_600_000;
        var result = new Reading[n];
        for (var i = 0; i < n; i++)
        {
            var q = i % quantities.Length;
            var interval = t0 + (i / (meters.Length * quantities.Length) * 900_000L);
            result[i] = new Reading(meters[i / quantities.Length % meters.Length], quantities[q], 230 + (i % 1000 / 100.0), units[q], interval, interval + 1_500 + (i % 700));
        }
        return result;
    }

    private static async Task<(double Rate, long Batches)> OutboxAsync(string path, Reading[] readings, int producers, int batch)
    {
        var options = new OutboxOptions { Path = path, BatchSize = batch, MaxItems = Math.Max(1_000_000, readings.Length + 1) };
        await using var outbox = new ReadingOutbox(options);
        var sw = Stopwatch.StartNew();
        var per = (readings.Length + producers - 1) / producers;
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var end = Math.Min(readings.Length, (p + 1) * per);
            for (var i = p * per; i < end; i++) await outbox.AppendAsync(readings[i], CancellationToken.None);
        })));
        await outbox.FlushAsync(CancellationToken.None);
        sw.Stop();
        var stats = outbox.GetStats();
        if (stats.ReadingsDepth != readings.Length) throw new InvalidOperationException($"expected {readings.Length} readings, outbox holds {stats.ReadingsDepth}");
        return (readings.Length / sw.Elapsed.TotalSeconds, stats.CommittedBatches);
    }

    private static double Raw(string path, Reading[] readings, int batch)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var col = db.GetCollection(ReadingOutbox.ReadingsCollection, BsonAutoId.Int64);
        var docs = new List<BsonDocument>(batch);
        var sw = Stopwatch.StartNew();
        for (var start = 0; start < readings.Length; start += batch)
        {
            docs.Clear();
            for (var i = start; i < Math.Min(readings.Length, start + batch); i++) docs.Add(OutboxDocuments.FromReading(readings[i]));
            db.BeginTrans();
            col.InsertBulk(docs, batch);
            db.Commit();
        }
        sw.Stop();
        return readings.Length / sw.Elapsed.TotalSeconds;
    }
}
