using Dcu.Benchmarks;

// Benchmarks run on demand: dotnet run -c Release --project bench/Dcu.Benchmarks -- <name> [--option value ...]
// Results go to docs/BENCHMARKS.md. Add a benchmark by adding one entry here and one class.
var benchmarks = new Dictionary<string, (string Help, Func<BenchArgs, Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["outbox"] = ("ReadingOutbox append throughput vs raw LiteDB InsertBulk (--n 200000 --producers 4 --batch 1000 --rounds 2)", OutboxBenchmark.RunAsync),
    ["outbox-cycle"] = ("The outbox drained wave by wave as the publisher does (number batches, finish them), ms per 1,000 readings per phase, history on/off (--n 200000 --batch 500 --inflight 8)", OutboxCycleBenchmark.RunAsync),
    ["e2e"] = ("Readings/s outbox -> publisher -> MQTTnet -> local Mosquitto at QoS 1, live and backlog (--n 200000 --batch 500 --inflight 8)", EndToEndBenchmark.RunAsync),
    ["memory"] = ("Peak RSS of the DCU process with a large simulated site (--meters 1000 --buses 8 --seconds 60 --interval 00:00:10)", MemoryBenchmark.RunAsync),
    ["startup"] = ("Process start to first status and first readings publish (--runs 5 --meters 6)", StartupBenchmark.RunAsync),
    ["plc-round"] = ("One PLC collection round vs N x K x mean latency / concurrency (--meters 200,1000 --concurrency 4 --latency-min-ms 20 --latency-max-ms 60 --quantities 1 --loss-percent 5)", PlcRoundBenchmark.RunAsync),
    ["wire-bytes"] = ("Bytes on the wire per reading for each reading encoding, MQTT and TCP/IP included, and encode CPU (--meters 100 --iterations 200)", WireBytesBenchmark.RunAsync),
    ["dlt645-wire"] = ("A DL/T 645 round on a baud-paced 2400 8E1 line vs its wire time (--meters 20 --quantities 2 --turnaround-ms 50 --preamble 4)", Dlt645WireBenchmark.RunAsync),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine("usage: Dcu.Benchmarks <benchmark> [--option value ...]");
    foreach (var (name, (help, _)) in benchmarks) Console.Error.WriteLine($"  {name,-10} {help}");
    return args.Length == 0 ? 0 : 2;
}
return await benchmark.Run(BenchArgs.Parse(args.AsSpan(1)));
