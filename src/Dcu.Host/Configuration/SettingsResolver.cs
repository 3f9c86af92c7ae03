using Microsoft.Extensions.Configuration;

namespace Dcu.Host.Configuration;

/// <summary>Fills the values that follow from others when the file leaves them out.</summary>
public static class SettingsResolver
{
    public static DcuSettings Resolve(DcuSettings s, IConfiguration configuration)
    {
        // The outbox lives in the data directory unless placed elsewhere on purpose.
        if (configuration["Outbox:Path"] is null || !Path.IsPathRooted(s.Outbox.Path))
            s.Outbox.Path = Path.Combine(s.Dcu.DataDirectory, s.Outbox.Path);
        if (!Path.IsPathRooted(s.Dcu.ProfilesDirectory))
            s.Dcu.ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, s.Dcu.ProfilesDirectory);
        if (configuration["Mqtt:ClientId"] is null && !string.IsNullOrWhiteSpace(s.Dcu.Id))
            s.Mqtt.ClientId = s.Dcu.Id;
        // The topic tree is the DCP contract (Core's Topics); the link only needs its status and command topics.
        if (!string.IsNullOrWhiteSpace(s.Dcu.Id) && s.Dcu.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            var topics = new Dcu.Core.Uplink.Topics(s.Dcu.Id);
            s.Mqtt.StatusTopic = topics.Status;
            s.Mqtt.CommandTopicFilter = topics.CommandFilter;
            s.Mqtt.AckTopic = topics.Ack;
        }
        return s;
    }
}
