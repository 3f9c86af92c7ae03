using Dcu.Core.Abstractions;

namespace Dcu.Host.Technician;

/// <summary>
/// A console line over two streams: stdin/stdout when they are pipes, in-memory pipes in tests. No baud
/// timing. The streams belong to the caller unless <c>ownsStreams</c> (stdin and stdout must stay open
/// for the log after the console is done with them).
/// </summary>
public sealed class StreamByteLink(string name, Stream input, Stream output, bool ownsStreams = false) : IByteLink
{
    public string Name => name;

    public int BitsPerCharacter => 0;

    public int BaudRate => 0;

    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => input.ReadAsync(buffer, cancellationToken);

    public void DiscardInput()
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (!ownsStreams) return;
        await input.DisposeAsync().ConfigureAwait(false);
        await output.DisposeAsync().ConfigureAwait(false);
    }
}
