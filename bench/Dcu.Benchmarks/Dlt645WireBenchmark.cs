using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Simulation;

namespace Dcu.Benchmarks;

/// <summary>
/// One DL/T 645 collection round on a 2400 baud 8E1 RS485 line against its wire time. The line is
/// a <see cref="SimulatedDlt645Bus"/> behind a <see cref="BaudPacedLink"/> (every character takes
/// 11 bits / 2400 baud, the meter answers a turnaround after the request); the real
/// <see cref="Dlt645Client"/> and <see cref="Dlt645MeterReader"/> read N meters x K quantities.
/// Ideal = sum over exchanges of (request + reply characters, wake-up bytes included) x 4.583 ms
/// + the turnaround (<see cref="Dlt645Timing.ReadExchangeWireTime"/>). Target: within 1.05x.
/// </summary>
internal static class Dlt645WireBenchmark
{
    private static readonly ObisCode[] AllQuantities = [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1, ObisCode.CurrentL1, ObisCode.ActivePowerTotal];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var meters = args.Int("meters", 20);
        var k = Math.Clamp(args.Int("quantities", 2), 1, AllQuantities.Length);
        var turnaround = TimeSpan.FromMilliseconds(args.Int("turnaround-ms", 50));
        var baud = args.Int("baud", 2400);
        var preamble = args.Int("preamble", 4);
        var quantities = AllQuantities[..k];
        var time = TimeProvider.System;

        var bus = new SimulatedDlt645Bus(time, baudRate: baud);
        var archive = new List<Meter>();
        for (var i = 0; i < meters; i++)
        {
            var address = $"{240000000000 + i}";
            bus.Attach(new SimulatedDlt645Meter(Dlt645Address.Parse(address), time, seed: i) { ReplyPreambleLength = preamble });
            archive.Add(new Meter(new MeterId($"rs485-{i:D3}"), "rs485-1", MeterProtocol.Dlt645, address, "dlt645"));
        }
        await using var line = new BaudPacedLink(bus, time, turnaround, baud);
        await line.OpenAsync(CancellationToken.None);
        var client = new Dlt645Client(line, new Dlt645ClientOptions { PreambleLength = preamble, TimeProvider = time });
        var reader = new Dlt645MeterReader(client);

        var ideal = TimeSpan.Zero;
        foreach (var q in quantities)
        {
            Dlt645ReadExchange.TryGetItem(q, out var item);
            ideal += (Dlt645Timing.ReadExchangeWireTime(item!.Length, preamble, preamble, baud) + turnaround) * meters;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dlt645-wire: {meters} meters x {k} quantities at {baud} baud 8E1, {preamble} FE each way, turnaround {turnaround.TotalMilliseconds:0} ms, cores={Environment.ProcessorCount}"));

        // Warm-up (JIT) on one meter, not counted.
        await reader.ReadAsync(archive[0], quantities, CancellationToken.None);

        var charsBefore = line.CharactersOnWire;
        var values = 0;
        var sw = Stopwatch.StartNew();
        foreach (var meter in archive) values += (await reader.ReadAsync(meter, quantities, CancellationToken.None)).Count;
        var elapsed = sw.Elapsed;
        var wireChars = line.CharactersOnWire - charsBefore;

        var ratio = elapsed / ideal;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  round: {values} values in {elapsed.TotalMilliseconds:N0} ms; ideal {ideal.TotalMilliseconds:N0} ms ({wireChars} characters on the wire + {meters * k} turnarounds); ratio {ratio:F3} (target <= 1.05)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  per exchange: {elapsed.TotalMilliseconds / (meters * k):F1} ms measured vs {ideal.TotalMilliseconds / (meters * k):F1} ms ideal"));
        return values == meters * k && ratio <= 1.05 ? 0 : 1;
    }
}
