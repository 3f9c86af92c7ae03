using System.Text.Json.Nodes;
using Dcu.Host.Commands;
using Dcu.Host.Configuration;
using Dcu.Host.Technician;
using Dcu.Testing;
using Microsoft.Extensions.Configuration;
using static Dcu.Host.Tests.Configuration.SectionSettings;

namespace Dcu.Host.Tests.Technician;

/// <summary>The "Console" section: bound strictly, validated naming the key, the hash masked by config.get, exit 78 from the real executable.</summary>
public sealed class ConsoleOptionsTests : IDisposable
{
    private static readonly string Hash = ConsolePassword.Create("secret", 1000);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dcu-console-config-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_console_is_off_by_default_with_the_documented_defaults()
    {
        var s = Bind();
        Assert.False(s.Console.Enabled);
        Assert.Equal("stdin", s.Console.Port);
        Assert.Equal(115_200, s.Console.Baud);
        Assert.Equal(3, s.Console.MaxFailedLogins);
        Assert.Equal(TimeSpan.FromMinutes(5), s.Console.Lockout);
        Assert.Equal(TimeSpan.FromMinutes(10), s.Console.IdleTimeout);
        Assert.Empty(Problems());
        Assert.Empty(Problems(("Console:Enabled", "true"), ("Console:Port", "/dev/ttyS0"), ("Console:PasswordHash", Hash)));
    }

    [Theory]
    [InlineData("Console:PasswordHash", null, "Console:PasswordHash is required")]
    [InlineData("Console:PasswordHash", "sha1:abcdef", "Console:PasswordHash is not a password hash")]
    [InlineData("Console:PasswordHash", "pbkdf2-sha256$100000$c2FsdHNhbHQ=$tooshort", "Console:PasswordHash is not a password hash")]
    [InlineData("Console:Port", "ttyS0", "Console:Port must be 'stdin' or the absolute path")]
    [InlineData("Console:Port", "", "Console:Port")]
    [InlineData("Console:Baud", "0", "Console:Baud must be")]
    [InlineData("Console:User", "tech nician", "Console:User must be")]
    [InlineData("Console:MaxFailedLogins", "0", "Console:MaxFailedLogins must be 1..100")]
    [InlineData("Console:Lockout", "00:00:00", "Console:Lockout must be")]
    [InlineData("Console:Lockout", "-00:01:00", "Console:Lockout must be")]
    [InlineData("Console:IdleTimeout", "00:00:00", "Console:IdleTimeout must be")]
    public void A_bad_console_setting_is_one_problem_naming_its_key(string key, string? value, string says)
    {
        var console = new List<(string, string)> { ("Console:Enabled", "true"), ("Console:PasswordHash", Hash) };
        console.RemoveAll(c => c.Item1 == key);
        if (value is not null) console.Add((key, value));

        var problem = Assert.Single(Problems([.. console]));

        Assert.StartsWith(says, problem, StringComparison.Ordinal);
        if (key == "Console:PasswordHash" && value is not null) Assert.DoesNotContain(value, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_configuration_has_the_console_off_with_a_sample_hash_made_by_another_implementation()
    {
        var file = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(file.FullName, "hardware/dcu.example.json"))) file = file.Parent!;
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(file.FullName, "hardware/dcu.example.json")).Build();
        var console = DcuSettings.Bind(configuration).Console;

        Assert.False(console.Enabled);
        Assert.Empty(console.Validate());
        // The sample was made with Python's hashlib.pbkdf2_hmac, not with our code.
        var sample = ConsolePassword.Parse(console.PasswordHash!);
        Assert.True(sample.Verify("change-me"));
        Assert.False(sample.Verify("change-me "));
    }

    [Fact]
    public void An_unknown_console_key_is_refused_naming_it() =>
        Assert.Contains("Console:Pasword", Assert.Throws<InvalidOperationException>(() => Bind(("Console:Pasword", "x"))).Message, StringComparison.Ordinal);

    [Fact]
    public void Config_get_masks_the_password_hash()
    {
        var view = ConfigView.Build(Bind(("Console:PasswordHash", Hash)));
        var console = view["Console"]!.AsObject();
        Assert.Equal("***", console["PasswordHash"]!.GetValue<string>());
        Assert.Equal("stdin", console["Port"]!.GetValue<string>());
        Assert.False(console.ContainsKey("IsStdin"));
        Assert.DoesNotContain(Hash, view.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_DCU_refuses_to_start_with_exit_78_naming_each_bad_console_key()
    {
        await using var dcu = await StartRefusedAsync(_dir, "Console", new JsonObject { ["Enabled"] = true, ["Port"] = "COM1", ["PasswordHash"] = "plaintext-password", ["Lockout"] = "00:00:00" });

        await dcu.WaitForOutputAsync("Console:PasswordHash is not a password hash");
        await dcu.WaitForOutputAsync("Console:Port must be");
        await dcu.WaitForOutputAsync("Console:Lockout must be");
        Assert.DoesNotContain("plaintext-password", dcu.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_password_prints_a_hash_of_the_line_on_stdin_that_verifies()
    {
        await using var dcu = DcuProcess.Start(null, "--hash-password");
        await dcu.StandardInput.WriteLineAsync("open sesame");
        dcu.StandardInput.Close();

        Assert.Equal(0, await dcu.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await dcu.WaitForOutputAsync("pbkdf2-sha256$100000$");
        var line = Assert.Single(dcu.Output, l => l.StartsWith("pbkdf2-sha256$", StringComparison.Ordinal));
        Assert.True(ConsolePassword.Parse(line).Verify("open sesame"));
        Assert.DoesNotContain("open sesame", dcu.OutputText, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_password_refuses_an_empty_line_with_exit_64()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(64, PasswordHashing.Run(new StringReader("\n"), output, error, interactive: false));
        Assert.Equal("", output.ToString());
        Assert.Contains("no password", error.ToString(), StringComparison.Ordinal);
    }
}
