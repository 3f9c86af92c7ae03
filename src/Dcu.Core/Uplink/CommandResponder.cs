using System.Buffers;
using System.Text.Json;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Uplink;

/// <summary>
/// Placeholder command handling: answers EVERY message received on <c>dcu/{id}/cmd/#</c> with a
/// result on <c>dcu/{id}/cmd-result</c>, so the DCP never waits for nothing. Until the command
/// dispatcher exists, a well-formed command gets <c>"status":"unsupported"</c> and a malformed one
/// <c>"status":"rejected"</c>. Result: <c>{"id":..,"cmd":..,"status":..,"reason":..}</c> where
/// <c>id</c> echoes the request's "id" (string or number) or is null.
/// Run one instance with <see cref="RunAsync"/>; it returns when the token is cancelled.
/// </summary>
public sealed class CommandResponder
{
    /// <summary>Commands larger than this are rejected unread.</summary>
    public const int MaxCommandBytes = 64 * 1024;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 16 };
    private readonly IUplink _uplink;
    private readonly Topics _topics;
    private readonly ILogger _logger;
    private long _answered;

    public CommandResponder(IUplink uplink, Topics topics, ILogger<CommandResponder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(uplink);
        ArgumentNullException.ThrowIfNull(topics);
        _uplink = uplink;
        _topics = topics;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Commands answered since start.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var command in _uplink.ReadCommandsAsync(cancellationToken).ConfigureAwait(false))
            {
                var result = BuildResult(command);
                var ok = await _uplink.PublishAsync(new UplinkMessage(_topics.CommandResult, result), cancellationToken).ConfigureAwait(false);
                if (!ok) _logger.LogWarning("Result for command on {Topic} was not acknowledged", command.Topic);
                Interlocked.Increment(ref _answered);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The result payload for one command message (pure; never throws for bad payloads).</summary>
    public byte[] BuildResult(UplinkMessage command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var name = command.Topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal) ? command.Topic[_topics.CommandPrefix.Length..] : null;
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        if (command.Payload.Length > MaxCommandBytes)
        {
            WriteResult(writer, null, name, "rejected", $"command larger than {MaxCommandBytes} bytes");
            return Finish(writer, buffer);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(command.Payload, ParseOptions);
        }
        catch (JsonException ex)
        {
            WriteResult(writer, null, name, "rejected", $"malformed JSON: {Trim(ex.Message)}");
            return Finish(writer, buffer);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                WriteResult(writer, null, name, "rejected", "a command must be a JSON object");
                return Finish(writer, buffer);
            }
            JsonElement? id = root.TryGetProperty("id", out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number ? idValue : null;
            if (root.TryGetProperty("cmd", out var cmd) && cmd.ValueKind == JsonValueKind.String) name = cmd.GetString();
            WriteResult(writer, id, name, "unsupported", name is null ? "no command name given" : $"command '{name}' is not supported by this DCU version");
            return Finish(writer, buffer);
        }
    }

    private static void WriteResult(Utf8JsonWriter writer, JsonElement? id, string? name, string status, string reason)
    {
        writer.WritePropertyName("id");
        if (id is { } value) value.WriteTo(writer);
        else writer.WriteNullValue();
        if (name is null) writer.WriteNull("cmd");
        else writer.WriteString("cmd", name);
        writer.WriteString("status", status);
        writer.WriteString("reason", reason);
    }

    private static byte[] Finish(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string Trim(string message) => message.Length <= 200 ? message : message[..200];
}
