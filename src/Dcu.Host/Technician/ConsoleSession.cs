using Microsoft.Extensions.Logging;

namespace Dcu.Host.Technician;

/// <summary>
/// One session on the console line: <c>login:</c> and <c>password:</c> (never echoed, never logged) until the
/// <see cref="ConsoleLoginGuard"/> lets the user in, then one command per line until logout, idle timeout or the
/// end of the input. Unknown commands, bad arguments and over-long lines are one error line each.
/// </summary>
internal sealed class ConsoleSession(ConsoleTerminal terminal, ConsoleLoginGuard guard, ConsoleCommands commands, ConsoleOptions options, string dcuId, ILogger logger)
{
    public async Task<ConsoleSessionEnd> RunAsync(CancellationToken cancellationToken)
    {
        var user = await LoginAsync(cancellationToken).ConfigureAwait(false);
        if (user is null) return ConsoleSessionEnd.InputClosed;
        await terminal.WriteAsync($"DCU {dcuId}: logged in as {user}; type {ConsoleCommands.HelpWord} for the commands\n", cancellationToken).ConfigureAwait(false);
        var end = await CommandsAsync(user, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Console session of {User} ended: {End}", user, end);
        return end;
    }

    /// <summary>The user once logged in; null when the input ended first.</summary>
    private async Task<string?> LoginAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await terminal.WriteAsync("login: ", cancellationToken).ConfigureAwait(false);
            var name = await terminal.ReadLineAsync(secret: false, idle: null, cancellationToken).ConfigureAwait(false);
            if (name is not { } n) return null;
            if (n.TooLong)
            {
                await TooLongAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var user = n.Text.Trim();
            if (user.Length == 0) continue;

            await terminal.WriteAsync("password: ", cancellationToken).ConfigureAwait(false);
            ConsoleLine? password;
            try
            {
                password = await terminal.ReadLineAsync(secret: true, options.IdleTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await terminal.WriteAsync("\nlogin timed out\n", cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (password is not { } p) return null;
            if (p.TooLong)
            {
                await TooLongAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var result = await guard.TryLoginAsync(user, p.Text, cancellationToken).ConfigureAwait(false);
            if (result.Status == ConsoleLoginStatus.Success) return user;
            await terminal.WriteAsync(result.Message + "\n", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ConsoleSessionEnd> CommandsAsync(string user, CancellationToken cancellationToken)
    {
        while (true)
        {
            await terminal.WriteAsync($"{dcuId}> ", cancellationToken).ConfigureAwait(false);
            ConsoleLine? read;
            try
            {
                read = await terminal.ReadLineAsync(secret: false, options.IdleTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await terminal.WriteAsync($"\nlogged out: idle for {ConsoleLoginGuard.Text(options.IdleTimeout)}\n", cancellationToken).ConfigureAwait(false);
                return ConsoleSessionEnd.Idle;
            }
            if (read is not { } line) return ConsoleSessionEnd.InputClosed;
            if (line.TooLong)
            {
                await TooLongAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var text = line.Text.Trim();
            if (ConsoleCommands.LogoutWords.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                await terminal.WriteAsync("logged out\n", cancellationToken).ConfigureAwait(false);
                return ConsoleSessionEnd.Logout;
            }
            await terminal.WriteAsync(await commands.RunAsync(text, user, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
    }

    private Task TooLongAsync(CancellationToken cancellationToken) =>
        terminal.WriteAsync($"error: line longer than {terminal.MaxLineLength} characters; discarded\n", cancellationToken);
}
