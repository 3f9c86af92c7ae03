using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Testing;

/// <summary>
/// Interval readings that look like a real site, for encoding sizes (tests and the wire-bytes
/// benchmark): N meters (12-digit DL/T 645 addresses as ids) x 10 quantities per 15-minute interval:
/// voltages L1-L3 (0.1 V), currents L1-L3 (mA), total active power (0.1 W in kW), power factor
/// (0.001), active and reactive import registers (Wh in kWh, i.e. 3 decimals, rising by P x 0.25 h).
/// Values are what the drivers hand over: decimals divided by their scale (DL/T 645 BCD), or the
/// same physics passed through float32 (Modbus float registers). Read times follow the PLC: each
/// quantity is one relay of 0.4-1.5 s, meters one after the other from 2 s into the interval.
/// Deterministic for a seed.
/// </summary>
public static class SampleReadings
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly (ObisCode Obis, string Unit, int Decimals)[] Quantities =
    [
        (ObisCode.VoltageL1, "V", 1), (ObisCode.VoltageL2, "V", 1), (ObisCode.VoltageL3, "V", 1),
        (ObisCode.CurrentL1, "A", 3), (ObisCode.CurrentL2, "A", 3), (ObisCode.CurrentL3, "A", 3),
        (ObisCode.ActivePowerTotal, "kW", 4), (ObisCode.PowerFactor, "", 3),
        (ObisCode.ActiveEnergyImport, "kWh", 3), (ObisCode.ReactiveEnergyImport, "kvarh", 3),
    ];

    /// <summary>Quantities per meter and interval.</summary>
    public static int QuantityCount => Quantities.Length;

    /// <summary>
    /// <paramref name="meters"/> x 10 readings for each of <paramref name="intervals"/> consecutive 15-minute
    /// intervals, interval by interval, meter by meter. Readings of the last interval of every 7th meter
    /// are flagged late (a re-read).
    /// </summary>
    public static OutboxRecord[] Site(int meters, int intervals = 1, bool float32Registers = false, int seed = 1, DateTimeOffset? start = null)
    {
        var random = new Random(seed);
        var t0 = (start ?? DefaultStart).ToUnixTimeMilliseconds();
        var loadKw = new double[meters];
        var importKwh = new double[meters];
        var reactiveKvarh = new double[meters];
        var ids = new string[meters];
        for (var m = 0; m < meters; m++)
        {
            ids[m] = (240_012_000_000L + (m * 7_919L)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            loadKw[m] = 0.3 + (12 * random.NextDouble() * random.NextDouble());
            importKwh[m] = 1_000 + (60_000 * random.NextDouble());
            reactiveKvarh[m] = importKwh[m] * (0.2 + (0.2 * random.NextDouble()));
        }

        var shares = new double[3];
        var volts = new double[3];
        var records = new List<OutboxRecord>(meters * intervals * Quantities.Length);
        long id = 1;
        for (var k = 0; k < intervals; k++)
        {
            var t = t0 + (k * 900_000L);
            var read = t + 2_000;
            for (var m = 0; m < meters; m++)
            {
                var p = Math.Max(0.05, loadKw[m] * (1 + (0.25 * Gaussian(random))));
                var pf = Math.Clamp(0.93 + (0.03 * Gaussian(random)), 0.6, 1.0);
                importKwh[m] += p * 0.25;
                reactiveKvarh[m] += p * 0.25 * Math.Tan(Math.Acos(pf));
                shares[0] = 0.4 + (0.05 * Gaussian(random));
                shares[1] = 0.33 + (0.05 * Gaussian(random));
                shares[2] = 1 - shares[0] - shares[1];
                for (var ph = 0; ph < 3; ph++) volts[ph] = 230 + (2 * Math.Sin(k + ph)) - (0.3 * p * shares[ph]) + (0.8 * Gaussian(random));
                var quality = k == intervals - 1 && intervals > 1 && m % 7 == 0 ? ReadingQuality.Late : ReadingQuality.Good;
                for (var q = 0; q < Quantities.Length; q++)
                {
                    var physical = q switch
                    {
                        0 or 1 or 2 => volts[q],
                        3 or 4 or 5 => p * 1000 * Math.Abs(shares[q - 3]) / (volts[q - 3] * pf),
                        6 => p,
                        7 => pf,
                        8 => importKwh[m],
                        _ => reactiveKvarh[m],
                    };
                    var (obis, unit, decimals) = Quantities[q];
                    var value = float32Registers ? (double)(float)physical : Scaled(physical, decimals);
                    read += 400 + random.Next(1_100);
                    records.Add(new OutboxRecord(id++, OutboxLane.Readings,
                        new Reading(new MeterId(ids[m]), obis, value, unit, t, read, quality), null));
                }
            }
        }
        return [.. records];
    }

    // What a BCD register with this many decimals decodes to: the integer count divided by its scale.
    private static double Scaled(double value, int decimals)
    {
        var scale = Math.Pow(10, decimals);
        return Math.Round(value * scale) / scale;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Clamp(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2), -3, 3);
    }
}
