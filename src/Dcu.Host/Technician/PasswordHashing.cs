namespace Dcu.Host.Technician;

/// <summary>
/// <c>dcu --hash-password</c>: one password line from stdin in, the <see cref="ConsolePassword"/> string for
/// Console:PasswordHash out (stdout, nothing else there, so it can be captured). On a terminal the password is
/// read key by key without echo.
/// </summary>
public static class PasswordHashing
{
    /// <returns>The exit code: 0, or 64 (EX_USAGE) for no or an empty password.</returns>
    public static int Run(TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? password;
        if (interactive)
        {
            error.Write("password: ");
            password = ReadHidden();
            error.WriteLine();
        }
        else
        {
            password = input.ReadLine();
        }
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("dcu: no password given (one line on stdin)");
            return 64;
        }
        output.WriteLine(ConsolePassword.Create(password));
        return 0;
    }

    private static string ReadHidden()
    {
        var chars = new List<char>();
        while (true)
        {
            var key = System.Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return new string([.. chars]);
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else if (key.KeyChar != '\0') chars.Add(key.KeyChar);
        }
    }
}
