using System.Buffers;
using System.Text;
using System.Text.Json;
using Dcu.Core.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands;

/// <summary>
/// The persisted set of command ids already seen, so a redelivered or retried command is never
/// executed twice, across restarts too. Each id is kept until its retention (its expiry plus a grace)
/// has passed, and the set is bounded.
/// <para>
/// Storage: an append-only JSON-lines file, one fsynced line per record: <c>{"b":id,"c":cmd,"r":retainUntilMs}</c>
/// when a command begins (or <c>..,"s":status}</c> when it is finished at once) and <c>{"e":id,"s":status}</c>
/// when its result is decided. Why not LiteDB: the ledger needs one durable write per command at a few
/// commands a minute, and a file we append to and fsync ourselves makes "begun before executing" and
/// "power-cut safe" plain to see, with no engine whose commit does not fsync. A torn last line (power
/// cut mid-append) is skipped on load. The file is compacted (temp, fsync, rename, fsync directory) on
/// open and whenever it holds 1,000 lines more than live ids.
/// </para>
/// Thread-safe: every call runs under one lock (the writes are short; commands are rare).
/// </summary>
public sealed class CommandLedger : IDisposable
{
    /// <summary>Lines beyond one per live id after which the file is rewritten (each command appends two).</summary>
    private const int CompactAfterExtraLines = 1000;

    private readonly string _path;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private FileStream _file;
    private int _lines;

    private CommandLedger(string path, int capacity, TimeProvider time, ILogger logger, List<Entry> interrupted, FileStream file, int lines)
    {
        _path = path;
        _capacity = capacity;
        _time = time;
        _logger = logger;
        Interrupted = interrupted;
        _file = file;
        _lines = lines;
    }

    /// <summary>Commands begun in an earlier run whose result was never decided (the DCU stopped mid-command).</summary>
    public IReadOnlyList<Entry> Interrupted { get; }

    /// <summary>Ids remembered now.</summary>
    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>Opens (or creates) the ledger at <paramref name="path"/>, drops ids whose retention has passed and compacts the file.</summary>
    public static CommandLedger Open(string path, int capacity, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        time ??= TimeProvider.System;
        logger ??= NullLogger.Instance;
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var skipped = 0;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path, Encoding.UTF8))
            {
                if (line.Length == 0) continue;
                if (!TryApply(line, entries)) skipped++;
            }
        }
        if (skipped > 0) logger.LogWarning("Command ledger {Path}: skipped {Count} unreadable line(s) (a torn write at a power cut leaves one)", path, skipped);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var interrupted = new List<Entry>();
        foreach (var (id, e) in entries.ToList())
        {
            if (e.Status is null) interrupted.Add(e);
            else if (e.RetainUntilUnixMs < now) entries.Remove(id);
        }

        var lines = WriteCompacted(path, entries.Values);
        var file = OpenAppend(path);
        var ledger = new CommandLedger(path, capacity, time, logger, interrupted, file, lines);
        foreach (var (id, e) in entries) ledger._entries[id] = e;
        return ledger;
    }

    /// <summary>
    /// Records that command <paramref name="id"/> begins (durably, before it is acted on), or returns
    /// <see cref="LedgerAdmission.Duplicate"/> when the id was seen already. With <paramref name="finished"/>
    /// the command is recorded as finished at once (refused before it ran).
    /// </summary>
    public LedgerAdmission TryBegin(string id, string? name, long retainUntilUnixMs, CommandStatus? finished = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (_entries.ContainsKey(id)) return LedgerAdmission.Duplicate;
            if (_entries.Count >= _capacity)
            {
                Prune();
                if (_entries.Count >= _capacity) return LedgerAdmission.Full;
            }
            var entry = new Entry(id, name, retainUntilUnixMs, finished);
            Append(w =>
            {
                w.WriteString("b", id);
                if (name is null) w.WriteNull("c");
                else w.WriteString("c", name);
                w.WriteNumber("r", retainUntilUnixMs);
                if (finished is { } s) w.WriteString("s", CommandResultWriter.StatusText(s));
            });
            _entries[id] = entry;
            return LedgerAdmission.Begun;
        }
    }

    /// <summary>Records the status of a begun command (durably).</summary>
    public void Complete(string id, CommandStatus status)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var e) || e.Status is not null) return;
            Append(w =>
            {
                w.WriteString("e", id);
                w.WriteString("s", CommandResultWriter.StatusText(status));
            });
            _entries[id] = e with { Status = status };
            if (_lines > _entries.Count + CompactAfterExtraLines) Compact();
        }
    }

    public bool Contains(string id)
    {
        lock (_lock) return _entries.ContainsKey(id);
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }

    private void Append(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        _file.Write(buffer.WrittenSpan);
        _file.Flush(flushToDisk: true);
        _lines++;
    }

    /// <summary>Forgets finished ids whose retention has passed (under the lock).</summary>
    private void Prune()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_entries.Values.Any(e => e.Status is not null && e.RetainUntilUnixMs < now)) Compact();
    }

    private void Compact()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (id, e) in _entries.ToList())
            if (e.Status is not null && e.RetainUntilUnixMs < now) _entries.Remove(id);
        _file.Dispose();
        try
        {
            _lines = WriteCompacted(_path, _entries.Values);
        }
        finally
        {
            _file = OpenAppend(_path);
        }
        _logger.LogDebug("Command ledger compacted to {Count} ids", _entries.Count);
    }

    private static int WriteCompacted(string path, IEnumerable<Entry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var lines = 0;
        foreach (var e in entries)
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("b", e.Id);
                if (e.Name is null) w.WriteNull("c");
                else w.WriteString("c", e.Name);
                w.WriteNumber("r", e.RetainUntilUnixMs);
                if (e.Status is { } s) w.WriteString("s", CommandResultWriter.StatusText(s));
                w.WriteEndObject();
            }
            buffer.Write("\n"u8);
            lines++;
        }
        DurableFile.WriteAllBytes(path, buffer.WrittenSpan);
        return lines;
    }

    private static FileStream OpenAppend(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.Read);

    private static bool TryApply(string line, Dictionary<string, Entry> entries)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            if (root.TryGetProperty("b", out var b) && b.GetString() is { } id)
            {
                var name = root.TryGetProperty("c", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var retain = root.GetProperty("r").GetInt64();
                CommandStatus? status = root.TryGetProperty("s", out var s) ? ParseStatus(s.GetString()) : null;
                entries.TryAdd(id, new Entry(id, name, retain, status));
                return true;
            }
            if (root.TryGetProperty("e", out var e) && e.GetString() is { } ended)
            {
                if (entries.TryGetValue(ended, out var entry)) entries[ended] = entry with { Status = ParseStatus(root.GetProperty("s").GetString()) };
                return true;
            }
            return false;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return false;
        }
    }

    private static CommandStatus ParseStatus(string? text) => text switch
    {
        "accepted" => CommandStatus.Accepted,
        "done" => CommandStatus.Done,
        _ => CommandStatus.Failed,
    };

    /// <summary>One remembered command: its id, name, until when it is remembered, and its status once decided.</summary>
    public sealed record Entry(string Id, string? Name, long RetainUntilUnixMs, CommandStatus? Status);
}

public enum LedgerAdmission
{
    /// <summary>New id, recorded.</summary>
    Begun,
    /// <summary>Seen before: do not execute, do not answer again.</summary>
    Duplicate,
    /// <summary>The ledger is at its capacity with ids still within their retention.</summary>
    Full,
}
