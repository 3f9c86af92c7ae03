using Dcu.Core.Commands;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Tests.Configuration;

/// <summary>The "Commands" section binds (enum case-insensitively) and its problems name the key, never the key's value.</summary>
public sealed class CommandSettingsTests
{
    private static (DcuSettings Settings, IReadOnlyList<string> Problems) Load(params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string?> { ["Dcu:Id"] = "dcu-t", ["Dcu:DataDirectory"] = "/tmp/dcu-cmd-settings" };
        foreach (var (k, v) in values) all[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var settings = SettingsResolver.Resolve(DcuSettings.Bind(configuration), configuration);
        return (settings, SettingsValidator.Validate(settings, null));
    }

    [Fact]
    public void Commands_bind_with_defaults_and_policies()
    {
        var (defaults, none) = Load();
        Assert.Empty(none);
        Assert.Equal(SignaturePolicy.None, defaults.Commands.EffectiveSignaturePolicy);
        Assert.Equal(TimeSpan.FromDays(7), defaults.Commands.MaxExpiry);

        var (all, problems) = Load(("Commands:SigningKey", "MDAxMTIyMzM0NDU1NjY3Nzg4OTlhYWJiY2NkZGVlZmY="), ("Commands:RequireSignature", "all"), ("Commands:MaxConcurrent", "4"));
        Assert.Empty(problems);
        Assert.Equal(SignaturePolicy.All, all.Commands.EffectiveSignaturePolicy);
        Assert.Equal(4, all.Commands.MaxConcurrent);
    }

    [Fact]
    public void Bad_command_settings_name_their_key()
    {
        var (_, problems) = Load(("Commands:SigningKey", "not a key!"), ("Commands:ExecutionTimeout", "00:00:00"), ("Commands:MaxConcurrent", "0"));
        Assert.Contains("Commands:SigningKey must be hex or base64", problems);
        Assert.Contains(problems, p => p.StartsWith("Commands:ExecutionTimeout must be 1 s..24 h", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Commands:MaxConcurrent must be 1..64", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("not a key!", StringComparison.Ordinal));

        var (_, noKey) = Load(("Commands:RequireSignature", "Destructive"));
        Assert.Contains("Commands:RequireSignature is Destructive but Commands:SigningKey is not set", noKey);

        Assert.Throws<InvalidOperationException>(() => Load(("Commands:Signing", "x")));
    }
}
