using System.Diagnostics;
using Dcu.Core.Outbox;
using Dcu.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Dcu.Core.Tests.Outbox.OutboxTestData;

namespace Dcu.Core.Tests.Outbox;

/// <summary>
/// A real full disk: the outbox on a 4 MiB tmpfs, filled up by a filler file. Needs root (mount);
/// without it the test returns early and says so in its output (xunit 2 has no dynamic skip).
/// </summary>
public sealed class OutboxFullDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Full_disk_keeps_items_queued_reports_it_and_commits_everything_when_space_returns()
    {
        var mount = Path.Combine(_dir.Path, "tmpfs");
        if (!TryMountTmpfs(mount, out var why))
        {
            output.WriteLine($"SKIPPED: no small tmpfs to fill ({why}); run as root to test a real full disk.");
            return;
        }
        try
        {
            var logger = new CollectingLogger<ReadingOutbox>();
            var options = new OutboxOptions { Path = Path.Combine(mount, "outbox.db"), BatchSize = 100, QueueCapacity = 300, WriteRetryMaxDelay = TimeSpan.FromMilliseconds(200) };
            var outbox = new ReadingOutbox(options, null, logger);
            try
            {
                for (var i = 0; i < 100; i++) await outbox.AppendAsync(Reading(i), default);
                await outbox.FlushAsync(default);

                var filler = Path.Combine(mount, "filler");
                Fill(filler);

                const int total = 2000;
                var producer = Task.Run(async () =>
                {
                    for (var i = 100; i < total; i++) await outbox.AppendAsync(Reading(i), default);
                });
                await Eventually.TrueAsync(() => outbox.GetStats().WriteFailing, "the outbox to report failing writes");
                var flush = outbox.FlushAsync(default);
                await Task.Delay(1000); // several retries (backoff capped at 200 ms)

                var failing = outbox.GetStats();
                output.WriteLine($"while full: {failing}");
                Assert.True(failing.WriteFailing);
                Assert.Contains("commit failed", failing.LastError, StringComparison.Ordinal);
                Assert.False(producer.IsCompleted, "producers must wait (backpressure) once the queue is full");
                Assert.False(flush.IsCompleted, "FlushAsync must not complete while nothing can be committed");
                Assert.True(failing.QueueLength >= options.QueueCapacity, $"queue length {failing.QueueLength}");
                Assert.Equal(100, failing.ReadingsDepth);
                Assert.Single(logger.At(LogLevel.Error)); // once per episode, not per attempt
                // Readers still work while the writer retries (the publisher keeps publishing what is stored).
                Assert.Equal(Enumerable.Range(0, 100).Select(i => Reading(i)), outbox.PeekOldest(OutboxLane.Readings, 1000).Select(r => r.Reading));

                File.Delete(filler);
                var sw = Stopwatch.StartNew();
                await producer.WaitAsync(TimeSpan.FromSeconds(20));
                await flush.WaitAsync(TimeSpan.FromSeconds(20));
                await outbox.FlushAsync(default).WaitAsync(TimeSpan.FromSeconds(20));
                output.WriteLine($"recovered {sw.ElapsedMilliseconds} ms after space returned: {outbox.GetStats()}");

                var stats = outbox.GetStats();
                Assert.False(stats.WriteFailing);
                Assert.Null(stats.LastError);
                Assert.Equal(total, stats.ReadingsDepth);
                Assert.Contains(logger.At(LogLevel.Warning), m => m.StartsWith("Outbox writes recovered", StringComparison.Ordinal));
                Assert.Equal(Enumerable.Range(0, total).Select(i => Reading(i)), outbox.PeekOldest(OutboxLane.Readings, 5000).Select(r => r.Reading));
            }
            finally
            {
                await outbox.DisposeAsync();
                foreach (var (level, message, ex) in logger.Entries.Take(40))
                    output.WriteLine($"log {level}: {message}{(ex is null ? "" : $" [{ex.GetType().Name}: {ex.Message}]")}");
            }

            // And on disk: reopen, all there once, in order.
            await using var reopened = new ReadingOutbox(new OutboxOptions { Path = options.Path });
            Assert.Equal(Enumerable.Range(0, 2000).Select(i => Reading(i)), reopened.PeekOldest(OutboxLane.Readings, 5000).Select(r => r.Reading));
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    private static void Fill(string path)
    {
        var chunk = new byte[4096];
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) f.Write(chunk);
        }
        catch (IOException)
        {
            // full
        }
    }

    private static bool TryMountTmpfs(string dir, out string why)
    {
        if (!OperatingSystem.IsLinux()) { why = "not Linux"; return false; }
        if (!Environment.IsPrivilegedProcess) { why = "not root"; return false; }
        Directory.CreateDirectory(dir);
        var (code, text) = Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir);
        why = code == 0 ? "" : $"mount -t tmpfs failed ({code}): {text}";
        return code == 0;
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, text.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
