using Dcu.Host.Configuration;
using Dcu.Host.Runtime;
using Dcu.Host.Tests.Technician;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Tests.Runtime;

public sealed class BoardLedsTests
{
    [Fact]
    public void Without_configured_LEDs_nothing_is_opened_or_logged()
    {
        var log = new RecordingLogger();
        Assert.Null(BoardLeds.TryOpen(new BoardOptions(), log, "/nonexistent-dev"));
        Assert.Empty(log.Entries);
    }

    [Theory]
    [InlineData(null, "no GPIO chip")]
    [InlineData(2, "gpiochip2 does not exist")]
    public void A_GPIO_that_cannot_be_opened_is_one_warning_and_no_LEDs(int? chip, string says)
    {
        var dev = Directory.CreateTempSubdirectory("dcu-dev-");
        try
        {
            var log = new RecordingLogger();
            var board = new BoardOptions { GpioChip = chip, Leds = new BoardLedsOptions { Run = 5, Fault = 13 } };

            Assert.Null(BoardLeds.TryOpen(board, log, dev.FullName));

            var entry = Assert.Single(log.Entries);
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Contains(says, entry.Text, StringComparison.Ordinal);
            Assert.Contains("runs without them", entry.Text, StringComparison.Ordinal);
        }
        finally
        {
            dev.Delete(recursive: true);
        }
    }
}
