using Dcu.Testing;
using System.Collections.Concurrent;
using System.Text.Json;
using Dcu.Core.Commands;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Tests.Commands;

/// <summary>Keeps every result payload, parsed.</summary>
internal sealed class RecordingResultSink : ICommandResultSink
{
    public ConcurrentQueue<JsonElement> Results { get; } = new();

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(payload);
        Results.Enqueue(doc.RootElement.Clone());
        return ValueTask.CompletedTask;
    }

    public JsonElement[] For(string id) => Results.Where(r => r.GetProperty("id").ValueKind == JsonValueKind.String && r.GetProperty("id").GetString() == id).ToArray();

    public JsonElement Single(string id) => Assert.Single(For(id));
}

/// <summary>A handler whose body the test writes.</summary>
internal sealed class TestHandler(string name, bool destructive, Func<CommandRequest, CancellationToken, Task<CommandOutcome>> body) : ICommandHandler
{
    private int _calls;

    public string Name => name;

    public bool Destructive => destructive;

    public int Calls => Volatile.Read(ref _calls);

    public Task<CommandOutcome> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return body(request, cancellationToken);
    }

    public static TestHandler Echo(string name = "echo", bool destructive = false) =>
        new(name, destructive, (r, _) => Task.FromResult(CommandOutcome.Done(new System.Text.Json.Nodes.JsonObject { ["id"] = r.Id })));
}

/// <summary>A temp directory deleted at the end of the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dcu-cmd-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
