using System.Diagnostics;
using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink.Encodings;
using static Dcu.Core.Tests.Uplink.Encodings.CompactSamples;

namespace Dcu.Core.Tests.Uplink.Encodings;

/// <summary>tests/Dcu.Testing/scripts/decode_compact.py plays the DCP: it must read what the C# encoders write, bit for bit.</summary>
public sealed class PythonDecoderTests
{
    private const string ScriptRelativePath = "tests/Dcu.Testing/scripts/decode_compact.py";

    public static TheoryData<string> Encodings => new() { "compact", "json-deflate", "json" };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task The_python_decoder_reads_what_the_encoder_wrote(string name)
    {
        var encoding = BatchEncodings.Create(name);
        var batch = Sample();
        var payload = Encode(encoding, batch, dcu: "dcu-Ø42", seq: 1_000_017);

        var (code, stdout, stderr) = await RunAsync(payload, "--bits", "--content-type", encoding.ContentType);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("dcu-Ø42", doc.RootElement.GetProperty("dcu").GetString());
        Assert.Equal(1_000_017, doc.RootElement.GetProperty("seq").GetInt64());
        var readings = doc.RootElement.GetProperty("readings").EnumerateArray().ToList();
        Assert.Equal(batch.Length, readings.Count);
        for (var i = 0; i < batch.Length; i++)
        {
            var want = batch[i].Reading!;
            var got = readings[i];
            Assert.Equal(want.Meter.Value, got.GetProperty("m").GetString());
            Assert.Equal(want.Obis.ToString(), got.GetProperty("q").GetString());
            Assert.Equal(want.Unit, got.GetProperty("u").GetString());
            Assert.Equal(want.IntervalUnixMs, got.GetProperty("t").GetInt64());
            Assert.Equal(want.ReadUnixMs, got.GetProperty("rt").GetInt64());
            Assert.Equal((int)want.Quality, got.TryGetProperty("f", out var f) ? f.GetInt32() : 0);
            var bits = Convert.ToInt64(got.GetProperty("vb").GetString(), 16);
            if (name == "compact") Assert.Equal(BitConverter.DoubleToInt64Bits(want.Value), bits);
            else if (double.IsFinite(want.Value)) Assert.Equal(want.Value, BitConverter.Int64BitsToDouble(bits)); // JSON: the value; -0.0 may print as 0
            else Assert.True(double.IsNaN(BitConverter.Int64BitsToDouble(bits)), "JSON carries non-finite values as null");
        }
    }

    [Fact]
    public async Task The_python_decoder_rejects_truncated_and_padded_payloads()
    {
        var payload = Compact(Testing.SampleReadings.Site(10));
        foreach (var n in new[] { 0, 3, 5, 7, payload.Length / 2, payload.Length - 1 })
        {
            var (code, _, stderr) = await RunAsync(payload[..n], "--content-type", ContentTypes.Compact);
            Assert.Equal(2, code);
            Assert.Contains("invalid payload", stderr, StringComparison.Ordinal);
        }
        var (padded, _, padError) = await RunAsync([.. payload, 0], "--content-type", ContentTypes.Compact);
        Assert.Equal(2, padded);
        Assert.Contains("TrailingBytes", padError, StringComparison.Ordinal);
        var (ok, stdout, _) = await RunAsync(payload); // self-describing: no content type needed
        Assert.Equal(0, ok);
        Assert.Equal(100, JsonDocument.Parse(stdout).RootElement.GetProperty("readings").GetArrayLength());
    }

    private static OutboxRecord[] Sample()
    {
        var site = Testing.SampleReadings.Site(20, intervals: 2);
        var special = new[] { -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-300, 1e300, Math.PI, (double)230.123f, -12345.678, 9_007_199_254_740_993.0 };
        var extra = special.Select((v, i) => Record(10_000 + i, i % 2 == 0 ? "zähler-電表" : "sdm630-01", ObisCode.ActivePowerTotal, v, "kW",
            T0 + (i * 60_000), T0 - 1 + (i * 70_000), (ReadingQuality)(i % 8)));
        return [.. site, .. extra];
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(byte[] payload, params string[] args)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, payload);
            var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(LocateScript());
            info.ArgumentList.Add(file);
            foreach (var a in args) info.ArgumentList.Add(a);
            info.Environment["PYTHONIOENCODING"] = "utf-8";
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string LocateScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ScriptRelativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{ScriptRelativePath} not found above {AppContext.BaseDirectory}");
    }
}
