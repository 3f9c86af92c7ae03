using Dcu.Core.Abstractions;

namespace Dcu.Drivers.Links;

/// <summary>
/// Reads and writes on an <see cref="IByteLink"/> bounded by a deadline on a <see cref="TimeProvider"/>.
/// The deadline is enforced here because serial async reads ignore ReadTimeout (dotnet/runtime#28968);
/// running out of time is kept apart from the caller's own cancellation, which still throws.
/// </summary>
public static class ByteLinkDeadlines
{
    /// <summary>Bytes read (0: the link closed), or null when nothing arrived within <paramref name="timeout"/>.</summary>
    public static async Task<int?> ReadWithinAsync(this IByteLink link, Memory<byte> buffer, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (timeout <= TimeSpan.Zero) return null;
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await link.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Writes the whole frame within <paramref name="timeout"/>; a <see cref="TimeoutException"/> naming <paramref name="limitText"/> if the link stalls.</summary>
    public static async Task WriteWithinAsync(this IByteLink link, ReadOnlyMemory<byte> frame, TimeSpan timeout, TimeProvider time, string limitText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await link.WriteAsync(frame, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Writing {frame.Length} bytes to {link.Name} took longer than {limitText}");
        }
    }
}
