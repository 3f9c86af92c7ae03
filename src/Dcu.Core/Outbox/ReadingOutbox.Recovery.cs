using System.Globalization;
using Dcu.Core.Model;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Outbox;

// Start-up: an outbox file that cannot be opened must not keep the DCU from starting.
public sealed partial class ReadingOutbox
{
    /// <summary>
    /// Opens the outbox file. If it (or its -log) is corrupt, moves both aside as
    /// <c>&lt;name&gt;.corrupt-&lt;UTC timestamp&gt;</c>, logs an error naming them, opens a fresh outbox and
    /// stores an <see cref="OutboxEventKinds.OutboxRecovered"/> event in it so the DCP hears of it.
    /// The moved files are kept for a technician; nothing is deleted.
    /// </summary>
    private OutboxStore OpenOrRecover(string path)
    {
        try
        {
            if (OutboxStore.HeaderProblem(path) is { } problem) throw new InvalidDataException(problem);
            return OutboxStore.Open(path);
        }
        catch (Exception ex) when (ex is not UnauthorizedAccessException and not OutOfMemoryException)
        {
            var stamp = _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var moved = new List<string>();
            foreach (var file in new[] { path, OutboxStore.LogPathOf(path) })
            {
                if (!File.Exists(file)) continue;
                var aside = $"{file}.corrupt-{stamp}";
                for (var n = 1; File.Exists(aside); n++) aside = $"{file}.corrupt-{stamp}-{n}";
                File.Move(file, aside);
                moved.Add(aside);
            }
            _logger.LogError(ex, "Outbox {Path} could not be opened; moved aside as {Moved} and starting with an empty outbox", path, string.Join(", ", moved));

            var store = OutboxStore.Open(path);
            var detail = $"outbox file unreadable at start ({ex.GetType().Name}: {ex.Message}); moved aside as {string.Join(", ", moved.Select(System.IO.Path.GetFileName))}; its unsent items are not in this outbox";
            store.Events.Insert(OutboxDocuments.FromEvent(new MeterEvent(null, OutboxEventKinds.OutboxRecovered, _time.GetUtcNow().ToUnixTimeMilliseconds(), detail)));
            store.SyncLog();
            return store;
        }
    }
}
