using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Outbox;
using Xunit.Abstractions;

namespace Dcu.Core.Tests.Outbox;

/// <summary>
/// kill -9 torture: a child process (tests/Dcu.OutboxWriter) appends, flushes and removes through
/// <see cref="ReadingOutbox"/> until it is SIGKILLed at a varied moment, round after round on the
/// same file (so each round also reopens a file killed mid-write, with a pending -log).
/// After each kill a copy of the files is opened in-process and checked:
/// <list type="bullet">
/// <item>it opens;</item>
/// <item>every reading the child reported committed (FlushAsync returned) and did not report removed is present;</item>
/// <item>no reading is present twice;</item>
/// <item>every reading the child reported removed (RemoveAsync returned) stays removed. A completed
/// remove goes through the same commit as an append, so we give it the same guarantee (a reappearing
/// one would only be a duplicate upstream, which at-least-once allows, but we do not need that slack).</item>
/// </list>
/// </summary>
public sealed class OutboxKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 16;
    private const long SeqsPerRound = 10_000_000;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kill_9_loses_no_committed_reading_and_resurrects_no_removed_one()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Dcu.OutboxWriter.dll");
        Assert.True(File.Exists(dll), $"{dll} not found beside the tests; does the test project reference Dcu.OutboxWriter?");
        var work = Directory.CreateDirectory(Path.Combine(_dir.Path, "work")).FullName;
        var path = Path.Combine(work, "outbox.db");
        // Fixed seed for a repeatable run; DCU_TORTURE_SEED=<n> explores other kill moments.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DCU_TORTURE_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261124;
        var random = new Random(seed);
        var committed = new HashSet<long>();
        var removed = new HashSet<long>();
        var inFlight = new HashSet<long>(); // removes started but not reported done: either outcome is fine
        var total = Stopwatch.StartNew();
        int killedBeforeOpen = 0, unreportedPresent = 0;

        for (var round = 0; round < Rounds; round++)
        {
            var first = (round + 1) * SeqsPerRound;
            var lines = await RunAndKillAsync(dll, path, first, round, random);
            if (!lines.Any(l => l.StartsWith("opened", StringComparison.Ordinal))) killedBeforeOpen++;
            var reported = Record(lines, first, committed, removed, inFlight);

            // Check a copy, so the next round starts from the file exactly as the kill left it.
            var present = await ReadAllSeqsAsync(CopyOf(work, round));
            var duplicates = present.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"round {round}: duplicates after reopen: {string.Join(", ", duplicates.Take(10))}");
            var set = present.ToHashSet();
            var lost = committed.Where(s => !removed.Contains(s) && !inFlight.Contains(s) && !set.Contains(s)).Order().ToList();
            Assert.True(lost.Count == 0, $"round {round}: {lost.Count} committed readings lost, e.g. {string.Join(", ", lost.Take(10))}");
            var resurrected = removed.Where(set.Contains).Order().ToList();
            Assert.True(resurrected.Count == 0, $"round {round}: {resurrected.Count} removed readings came back, e.g. {string.Join(", ", resurrected.Take(10))}");
            var inFlightKept = inFlight.Count(set.Contains);
            removed.UnionWith(inFlight.Where(s => !set.Contains(s))); // those removes did commit
            inFlight.Clear(); // the others did not: plain stored items again
            unreportedPresent += set.Count(s => s >= first && !committed.Contains(s));
            output.WriteLine($"round {round,2}: {lines.Count,4} lines, committed up to {reported}, stored {set.Count}, kill caught {inFlightKept} in-flight removes uncommitted");
        }

        output.WriteLine($"seed {seed}: {Rounds} kills ({killedBeforeOpen} before the outbox opened) in {total.Elapsed.TotalSeconds:0.0} s: " +
            $"{committed.Count} readings reported committed, {removed.Count} reported removed, none lost, none resurrected, no duplicates; " +
            $"{unreportedPresent} committed but killed before reporting");
        Assert.True(committed.Count > 0, "the child never reported a commit: kills came too early to test anything");
    }

    /// <summary>Starts the child, kills it with SIGKILL at a varied moment, returns the complete lines it printed.</summary>
    private static async Task<List<string>> RunAndKillAsync(string dll, string path, long first, int round, Random random)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, path, first.ToString(CultureInfo.InvariantCulture), round.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the outbox writer");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Every fourth round: kill blind, possibly while it opens (and replays) the file. Otherwise
        // let it work a varied time after opening, while appends and removes are in flight.
        var deadline = Stopwatch.StartNew();
        if (round % 4 == 3)
        {
            await Task.Delay(random.Next(30, 250));
        }
        else
        {
            while (!lines.Any(l => l.StartsWith("opened", StringComparison.Ordinal)) && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(5);
            await Task.Delay(random.Next(20, 500));
        }
        Assert.False(process.HasExited, $"the outbox writer exited by itself (code {(process.HasExited ? process.ExitCode : 0)}): {string.Join('\n', errors)}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.WaitForExit(); // drains the redirected output
        return lines.Where(l => l.EndsWith(" ;", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Adds what the child reported to the model; returns the highest committed seq of this run.</summary>
    private static long Record(List<string> lines, long first, HashSet<long> committed, HashSet<long> removed, HashSet<long> inFlight)
    {
        var upTo = first - 1;
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "committed":
                    upTo = Math.Max(upTo, long.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                case "removing":
                    foreach (var p in parts.AsSpan(1, parts.Length - 2)) inFlight.Add(long.Parse(p, CultureInfo.InvariantCulture));
                    break;
                case "removed":
                    removed.UnionWith(inFlight);
                    inFlight.Clear();
                    break;
            }
        }
        for (var s = first; s <= upTo; s++) committed.Add(s);
        return upTo;
    }

    private string CopyOf(string work, int round)
    {
        var copy = Directory.CreateDirectory(Path.Combine(_dir.Path, $"check-{round}")).FullName;
        foreach (var f in Directory.GetFiles(work)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return Path.Combine(copy, "outbox.db");
    }

    private static async Task<List<long>> ReadAllSeqsAsync(string path)
    {
        await using var outbox = new ReadingOutbox(new OutboxOptions { Path = path });
        var seqs = new List<long>();
        long after = 0;
        while (true)
        {
            var page = outbox.PeekOldest(OutboxLane.Readings, 10_000, after);
            if (page.Length == 0) return seqs;
            seqs.AddRange(page.Select(r => (long)r.Reading!.Value));
            after = page[^1].Id;
        }
    }
}
