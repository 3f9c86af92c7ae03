using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;

namespace Dcu.Drivers.Tests.Profiles;

public sealed class MeterProfileLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dcu-profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Good = """
        {
          "name": "test-meter", "manufacturer": "ACME", "model": "M1",
          // comments are allowed
          "registers": [
            { "obis": "1.0.32.7.0", "address": "0x0000", "function": 4, "type": "float32", "unit": "V" },
            { "obis": "1.0.1.8.0", "address": 72, "function": 3, "type": "int32", "wordOrder": "low-first", "scale": 0.1, "unit": "kWh" },
            { "obis": "1.0.13.7.0", "address": "0x0100", "function": 3, "type": "int16", "scale": 0.001, "unit": "" },
          ]
        }
        """;

    [Fact]
    public void Loads_all_shipped_profiles()
    {
        var profiles = TestData.ShippedProfiles;
        Assert.Equal(["abb-b23", "carlo-gavazzi-em24", "eastron-sdm120", "eastron-sdm630"], profiles.Keys.Order(StringComparer.Ordinal));
        foreach (var profile in profiles.Values)
        {
            Assert.Contains(ObisCode.VoltageL1, profile.Quantities);
            Assert.Contains(ObisCode.ActiveEnergyImport, profile.Quantities);
            Assert.Contains(ObisCode.ActivePowerTotal, profile.Quantities);
            Assert.Contains(ObisCode.Frequency, profile.Quantities);
            Assert.DoesNotContain(new ObisCode(1, 0, 1, 7, 0), profile.Quantities); // total power is 16.7.0 everywhere
        }
        Assert.True(profiles["EASTRON-SDM630"].TryGetEntry(ObisCode.ActiveEnergyImport, out var import));
        Assert.Equal(new RegisterMapEntry(ObisCode.ActiveEnergyImport, 0x0048, ModbusFunction.ReadInputRegisters, RegisterType.Float32, WordOrder.HighFirst, 1, "kWh"), import);
        Assert.True(profiles["abb-b23"].TryGetEntry(ObisCode.ActiveEnergyImport, out var abb));
        Assert.Equal((RegisterType.UInt64, 0.01, ModbusFunction.ReadHoldingRegisters), (abb.Type, abb.Scale, abb.Function));
        Assert.True(profiles["carlo-gavazzi-em24"].TryGetEntry(ObisCode.VoltageL1, out var em24));
        Assert.Equal((RegisterType.Int32, WordOrder.LowFirst, 0.1), (em24.Type, em24.WordOrder, em24.Scale));
    }

    [Fact]
    public void Parses_every_field_with_defaults()
    {
        var profile = MeterProfileLoader.Parse(Good, "test.json");
        Assert.Equal(("test-meter", "ACME", "M1"), (profile.Name, profile.Manufacturer, profile.Model));
        Assert.Equal(new RegisterMapEntry(ObisCode.VoltageL1, 0, ModbusFunction.ReadInputRegisters, RegisterType.Float32, WordOrder.HighFirst, 1, "V"), profile.Registers[0]);
        Assert.Equal(new RegisterMapEntry(ObisCode.ActiveEnergyImport, 72, ModbusFunction.ReadHoldingRegisters, RegisterType.Int32, WordOrder.LowFirst, 0.1, "kWh"), profile.Registers[1]);
        Assert.Equal("", profile.Registers[2].Unit);
    }

    [Theory]
    [InlineData("\"type\": \"float32\"", "\"type\": \"float\"", "registers[0].type", "'float' is not one of")]
    [InlineData("\"obis\": \"1.0.32.7.0\"", "\"obis\": \"1.0.32.7\"", "registers[0].obis", "not an OBIS code")]
    [InlineData("\"function\": 4", "\"function\": 5", "registers[0].function", "3 (holding registers) or 4")]
    [InlineData("\"address\": 72", "\"address\": 70000", "registers[1].address", "outside 0..65535")]
    [InlineData("\"address\": 72", "\"address\": \"0xZZ\"", "registers[1].address", "not a register address")]
    [InlineData("\"wordOrder\": \"low-first\"", "\"wordOrder\": \"little\"", "registers[1].wordOrder", "'little'")]
    [InlineData("\"scale\": 0.1", "\"scale\": 0", "registers[1].scale", "non-zero")]
    [InlineData("\"unit\": \"V\"", "\"units\": \"V\"", "registers[0].units", "unknown field")]
    [InlineData("\"1.0.1.8.0\"", "\"1.0.32.7.0\"", "registers[1].obis", "already mapped by registers[0]")]
    [InlineData("\"name\": \"test-meter\",", "", "name", "required")]
    [InlineData("\"address\": 72", "\"address\": 65535", "registers[1].address", "runs past")]
    public void Bad_field_is_named_with_the_file(string good, string bad, string field, string problem)
    {
        Assert.Contains(good, Good, StringComparison.Ordinal);
        var path = Path.Combine(_dir, "broken.json");
        File.WriteAllText(path, Good.Replace(good, bad, StringComparison.Ordinal));
        var ex = Assert.Throws<MeterProfileException>(() => MeterProfileLoader.LoadDirectory(_dir));
        Assert.Equal("broken.json", ex.File);
        Assert.Equal(field, ex.Field);
        Assert.Contains("'broken.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_names_the_file_and_line()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.json"), "{\n \"name\": \"x\",\n \"registers\": [ { ] }");
        var ex = Assert.Throws<MeterProfileException>(() => MeterProfileLoader.LoadDirectory(_dir));
        Assert.Equal("bad.json", ex.File);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_profile_names_across_files_are_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "a.json"), Good);
        File.WriteAllText(Path.Combine(_dir, "b.json"), Good);
        var ex = Assert.Throws<MeterProfileException>(() => MeterProfileLoader.LoadDirectory(_dir));
        Assert.Equal(("b.json", "name"), (ex.File, ex.Field));
        Assert.Contains("a.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directory_is_reported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => MeterProfileLoader.LoadDirectory(Path.Combine(_dir, "nope")));
    }
}
