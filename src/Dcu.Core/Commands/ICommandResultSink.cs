namespace Dcu.Core.Commands;

/// <summary>Where command results go (one JSON payload per command, see <see cref="CommandResultWriter"/>).</summary>
public interface ICommandResultSink
{
    /// <summary>Sends one result. May throw when it could not be handed over; the dispatcher logs and counts that.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct);
}
