using System.Globalization;

namespace Dcu.Host.Technician;

/// <summary>
/// Section "Console": the technician console on a serial line (or stdin on a dev box). Off by default;
/// when on, it needs a password hash made with <c>dcu --hash-password</c> (docs/technician-console.md).
/// </summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>The value of <see cref="Port"/> that means the process's stdin/stdout.</summary>
    public const string StdinPort = "stdin";

    public bool Enabled { get; set; }

    /// <summary>"stdin", or the serial device of the console line, e.g. /dev/ttyS0.</summary>
    public string Port { get; set; } = StdinPort;

    /// <summary>Baud rate of a serial console line (8N1).</summary>
    public int Baud { get; set; } = 115_200;

    /// <summary>The one user name the console accepts.</summary>
    public string User { get; set; } = "technician";

    /// <summary><c>pbkdf2-sha256$iterations$salt$hash</c> (base64), from <c>dcu --hash-password</c>; never the password itself.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Failed logins in a row that lock the console for <see cref="Lockout"/>.</summary>
    public int MaxFailedLogins { get; set; } = 3;

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A logged-in session without input for this long is logged out.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsStdin => string.Equals(Port, StdinPort, StringComparison.Ordinal);

    /// <summary>Problems, each naming its key; the hash's value never appears in one.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(Port) || !(IsStdin || Port.StartsWith('/')))
            p.Add($"{SectionName}:{nameof(Port)} must be 'stdin' or the absolute path of a serial device such as /dev/ttyS0 (got '{Port}')");
        if (Baud is < 300 or > 921_600) p.Add($"{SectionName}:{nameof(Baud)} must be 300..921600 (got {Baud})");
        if (string.IsNullOrWhiteSpace(User) || User.Length > 32 || !User.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            p.Add($"{SectionName}:{nameof(User)} must be 1..32 letters, digits, '-', '_' or '.' (got '{User}')");
        if (PasswordHash is null)
        {
            if (Enabled) p.Add($"{SectionName}:{nameof(PasswordHash)} is required when {SectionName}:{nameof(Enabled)} is true (make one with: dcu --hash-password)");
        }
        else if (!ConsolePassword.TryParse(PasswordHash, out _, out var error))
        {
            p.Add($"{SectionName}:{nameof(PasswordHash)} is not a password hash of dcu --hash-password: {error}; value not shown");
        }
        if (MaxFailedLogins is < 1 or > 100) p.Add($"{SectionName}:{nameof(MaxFailedLogins)} must be 1..100 (got {MaxFailedLogins})");
        Span(nameof(Lockout), Lockout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Span(nameof(IdleTimeout), IdleTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        return p;

        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max) p.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{key} must be {min}..{max} (got {value})"));
        }
    }
}
