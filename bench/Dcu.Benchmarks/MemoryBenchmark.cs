using System.Diagnostics;
using System.Globalization;
using Dcu.Testing;

namespace Dcu.Benchmarks;

/// <summary>
/// Peak resident memory (VmHWM) of the real DCU process serving a large simulated site: N meters
/// on simulated RS485 lines, read every interval, published to a local Mosquitto.
/// </summary>
internal static class MemoryBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var meters = args.Int("meters", 1000);
        var buses = args.Int("buses", 8);
        var seconds = args.Int("seconds", 60);
        var interval = args.String("interval", "00:00:10");
        var dir = Path.Combine(Path.GetTempPath(), "dcu-bench-mem-" + Guid.NewGuid().ToString("N"));
        await using var broker = await MosquittoBroker.StartNewAsync();
        var config = SiteConfig.Write(dir, "bench-mem", meters, buses, broker.Port, interval, ["1.0.32.7.0", "1.0.31.7.0", "1.0.16.7.0", "1.0.1.8.0"]);
        Console.WriteLine($"memory: {meters} meters on {buses} simulated buses, task every {interval}, {seconds} s, broker mosquitto :{broker.Port}");
        await using var dcu = DcuProcess.Start(null, "--config", config);
        long peakRss = 0;
        var sw = Stopwatch.StartNew();
        long lastPrint = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(seconds) && !dcu.HasExited)
        {
            var (rss, hwm) = ReadStatus(dcu.Id);
            peakRss = Math.Max(peakRss, hwm);
            if (sw.ElapsedMilliseconds - lastPrint >= 10_000)
            {
                lastPrint = sw.ElapsedMilliseconds;
                Console.WriteLine($"  t={sw.Elapsed.TotalSeconds,4:0}s rss {rss / 1024.0,6:0.0} MB  peak {hwm / 1024.0,6:0.0} MB");
            }
            await Task.Delay(200);
        }
        if (dcu.HasExited)
        {
            Console.WriteLine("the DCU exited early:\n" + dcu.OutputText);
            return 1;
        }
        var readLine = dcu.Output.LastOrDefault(l => l.Contains("readings", StringComparison.Ordinal)) ?? "";
        await dcu.StopAsync(TimeSpan.FromSeconds(20));
        var published = dcu.Output.Count(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result: peak resident memory {peakRss / 1024.0:0.0} MB (VmHWM) with {meters} meters (target <= 64 MB); log lines mentioning failures: {published}"));
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>VmRSS and VmHWM in kB from /proc.</summary>
    internal static (long Rss, long Hwm) ReadStatus(int pid)
    {
        long rss = 0, hwm = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = ParseKb(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = ParseKb(line);
            }
        }
        catch (IOException) { }
        return (rss, hwm);
    }

    private static long ParseKb(string line) =>
        long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
