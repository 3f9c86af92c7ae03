using Dcu.Host.Runtime;

namespace Dcu.Host.Tests.Runtime;

public sealed class UplinkLinkProbeTests
{
    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n";

    // A Raspberry Pi with Ethernet and a cellular modem as backup (higher metric), as /proc/net/route shows it.
    private const string EthernetAndCellular = Header
        + "wwan0\t00000000\t0100A8C0\t0003\t0\t0\t700\t00000000\t0\t0\t0                                                                               \n"
        + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0                                                                                \n"
        + "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0                                                                                \n"
        + "wwan0\t0000A8C0\t00000000\t0001\t0\t0\t700\t00FFFFFF\t0\t0\t0                                                                               \n";

    [Fact]
    public void The_default_route_with_the_lowest_metric_wins()
    {
        Assert.Equal("eth0", UplinkLinkProbe.DefaultRouteInterface(EthernetAndCellular));
        // Ethernet unplugged: its default route is gone.
        var cellularOnly = string.Join('\n', EthernetAndCellular.Split('\n').Where(l => !l.StartsWith("eth0\t00000000", StringComparison.Ordinal)));
        Assert.Equal("wwan0", UplinkLinkProbe.DefaultRouteInterface(cellularOnly));
    }

    [Fact]
    public void No_default_route_a_route_that_is_down_and_garbage_give_null()
    {
        Assert.Null(UplinkLinkProbe.DefaultRouteInterface(Header));
        Assert.Null(UplinkLinkProbe.DefaultRouteInterface(""));
        Assert.Null(UplinkLinkProbe.DefaultRouteInterface(Header + "eth0\t00000000\t0101A8C0\t0002\t0\t0\t100\t00000000\t0\t0\t0\n"));  // not RTF_UP
        Assert.Null(UplinkLinkProbe.DefaultRouteInterface(Header + "eth0\tzz\t0101A8C0\t0003\t0\t0\t100\t00000000\n" + "short line\n"));
        Assert.Equal("ppp0", UplinkLinkProbe.DefaultRouteInterface(Header + "ppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"));
    }

    [Theory]
    [InlineData("eth0", "ethernet")]
    [InlineData("enp3s0", "ethernet")]
    [InlineData("end0", "ethernet")]
    [InlineData("wlan0", "wifi")]
    [InlineData("wlp2s0", "wifi")]
    [InlineData("wwan0", "cellular")]
    [InlineData("ppp0", "cellular")]
    [InlineData("usb0", "cellular")]
    [InlineData("cdc-wdm0", "cellular")]
    [InlineData("tun0", "unknown")]
    [InlineData("lo", "unknown")]
    public void Interfaces_are_classified_by_name(string iface, string type) => Assert.Equal(type, UplinkLinkProbe.Classify(iface));

    [Fact]
    public void Probe_reads_the_file_in_auto_and_reports_a_configured_type_as_is()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, EthernetAndCellular);
            var auto = new UplinkLinkProbe("auto", file).Probe();
            Assert.Equal(("ethernet", "eth0"), (auto.Type, auto.Interface));
            var configured = new UplinkLinkProbe("Cellular", file).Probe();
            Assert.Equal(("cellular", null), (configured.Type, configured.Interface));
            Assert.Equal("unknown", new UplinkLinkProbe("auto", file + ".missing").Probe().Type);
        }
        finally
        {
            File.Delete(file);
        }
        Assert.True(UplinkLinkProbe.IsValidSetting("AUTO"));
        Assert.False(UplinkLinkProbe.IsValidSetting("lte"));
    }
}
