using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dcu.Core.Commands;

/// <summary>
/// The one result of a command on <c>dcu/{id}/cmd-result</c>:
/// <c>{"id":..,"cmd":..,"status":"accepted"|"done"|"failed","reason":..,"data":{..},"ts":unixMs}</c>;
/// "reason" only when failed, "data" only when the handler gave some. Pure.
/// </summary>
public static class CommandResultWriter
{
    public static byte[] Write(string? id, string? cmd, CommandStatus status, string? reason, JsonObject? data, long tsUnixMs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (id is null) w.WriteNull("id");
            else w.WriteString("id", id);
            if (cmd is null) w.WriteNull("cmd");
            else w.WriteString("cmd", cmd);
            w.WriteString("status", StatusText(status));
            if (status == CommandStatus.Failed) w.WriteString("reason", string.IsNullOrEmpty(reason) ? "failed" : reason);
            if (data is not null)
            {
                w.WritePropertyName("data");
                data.WriteTo(w);
            }
            w.WriteNumber("ts", tsUnixMs);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string StatusText(CommandStatus status) => status switch
    {
        CommandStatus.Accepted => "accepted",
        CommandStatus.Done => "done",
        _ => "failed",
    };
}
