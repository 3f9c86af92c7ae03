using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;

namespace Dcu.Drivers.Tests.Profiles;

internal static class TestData
{
    /// <summary>hardware/meter-profiles, found by walking up from the test output directory.</summary>
    public static string ProfilesDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "hardware", "meter-profiles");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException($"hardware/meter-profiles not found above {AppContext.BaseDirectory}");
        }
    }

    private static readonly Lazy<IReadOnlyDictionary<string, MeterProfile>> Loaded = new(() => MeterProfileLoader.LoadDirectory(ProfilesDirectory));

    public static IReadOnlyDictionary<string, MeterProfile> ShippedProfiles => Loaded.Value;

    public static RegisterMapEntry Entry(ushort address, RegisterType type = RegisterType.Float32,
        ModbusFunction function = ModbusFunction.ReadInputRegisters, byte c = 32) =>
        new(new ObisCode(1, 0, c, 7, (byte)(address & 0xFF)), address, function, type, WordOrder.HighFirst, 1, "V");
}
