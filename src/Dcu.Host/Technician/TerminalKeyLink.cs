using System.Text;
using Dcu.Core.Abstractions;

namespace Dcu.Host.Technician;

/// <summary>
/// The console on the terminal the DCU was started from (stdin is a tty, a dev box): keys are read with
/// <see cref="System.Console.ReadKey(bool)"/> without the terminal's own echo, so the password is not shown and
/// the console does the echoing, as on a serial line. Enter is sent as CR, Backspace as DEL.
/// </summary>
public sealed class TerminalKeyLink : IByteLink
{
    private readonly Stream _output = System.Console.OpenStandardOutput();

    public string Name => "stdin (terminal)";

    public int BitsPerCharacter => 0;

    public int BaudRate => 0;

    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>ReadKey blocks and cannot be cancelled: the console's pump is left waiting in it when the DCU stops.</remarks>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await Task.Run(() => System.Console.ReadKey(intercept: true), cancellationToken).ConfigureAwait(false);
            var text = key.Key switch
            {
                ConsoleKey.Enter => "\r",
                ConsoleKey.Backspace => "\x7f",
                _ => key.KeyChar == '\0' ? "" : key.KeyChar.ToString(),
            };
            if (text.Length == 0) continue;
            return Encoding.UTF8.GetBytes(text, buffer.Span);
        }
    }

    public void DiscardInput()
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
