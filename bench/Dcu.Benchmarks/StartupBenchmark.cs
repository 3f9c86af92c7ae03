using System.Diagnostics;
using System.Globalization;
using Dcu.Testing;
using MQTTnet;

namespace Dcu.Benchmarks;

/// <summary>
/// Time from starting the DCU process to its first publishes, seen by a subscriber on a local
/// Mosquitto: the retained status (the DCU is up and connected) and the first readings batch
/// (a 1-s collection task, so at most one interval of waiting is included).
/// </summary>
internal static class StartupBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var runs = args.Int("runs", 5);
        var meters = args.Int("meters", 6);
        await using var broker = await MosquittoBroker.StartNewAsync();
        var status = new List<double>();
        var readings = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var id = $"bench-start-{run}";
            var dir = Path.Combine(Path.GetTempPath(), "dcu-bench-start-" + Guid.NewGuid().ToString("N"));
            var config = SiteConfig.Write(dir, id, meters, 1, broker.Port, "00:00:01", ["1.0.32.7.0", "1.0.1.8.0"]);
            var firstStatus = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var firstReadings = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var sw = new Stopwatch();
            using var sub = new MqttClientFactory().CreateMqttClient();
            sub.ApplicationMessageReceivedAsync += e =>
            {
                if (e.ApplicationMessage.Retain && !sw.IsRunning) return Task.CompletedTask; // a stale retained status
                if (e.ApplicationMessage.Topic.EndsWith("/status", StringComparison.Ordinal)) firstStatus.TrySetResult(sw.Elapsed);
                if (e.ApplicationMessage.Topic.EndsWith("/readings", StringComparison.Ordinal)) firstReadings.TrySetResult(sw.Elapsed);
                return Task.CompletedTask;
            };
            await sub.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("bench-start-sub").Build());
            await sub.SubscribeAsync($"dcu/{id}/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            sw.Start();
            await using (var dcu = DcuProcess.Start(null, "--config", config))
            {
                TimeSpan s, r;
                try
                {
                    s = await firstStatus.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    r = await firstReadings.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    Console.WriteLine("no publish within 30 s; the DCU said:\n" + dcu.OutputText);
                    return 1;
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: first status {s.TotalMilliseconds:N0} ms, first readings {r.TotalMilliseconds:N0} ms"));
                if (run > 0) { status.Add(s.TotalMilliseconds); readings.Add(r.TotalMilliseconds); } // run 1 warms the disk cache
                await dcu.StopAsync(TimeSpan.FromSeconds(20));
            }
            await sub.DisconnectAsync();
            Directory.Delete(dir, recursive: true);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result: process start -> first status publish median {Median(status):N0} ms; -> first readings batch median {Median(readings):N0} ms (1-s task; target: first publish < 1000 ms)"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[values.Count / 2];
    }
}
