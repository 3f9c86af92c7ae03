namespace Dcu.Host.Tests.EndToEnd;

/// <summary>
/// The end-to-end tests each run a DCU process, a pymodbus server, socat and Mosquitto, with 1-2 s
/// collection intervals; on 2 shared cores they run one after the other so none misses its intervals.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "EndToEnd";
}
