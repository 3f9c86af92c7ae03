namespace Dcu.Drivers.Plc;

/// <summary>
/// Application function codes of Q/GDW 1376.2. A frame may carry any byte here: values not named
/// below are kept as they are and treated as opaque data by the codec.
/// </summary>
public enum Q13762Afn : byte
{
    /// <summary>F1 confirm, F2 deny.</summary>
    Confirm = 0x00,

    /// <summary>F1 hardware init, F2 parameter-area init, F3 data-area init.</summary>
    Initialise = 0x01,

    /// <summary>F1 forward a communication-protocol frame (to the module itself).</summary>
    DataForward = 0x02,

    /// <summary>F1 vendor/version, F4 main node address, F10 run mode, ...</summary>
    Query = 0x03,

    /// <summary>Link interface tests.</summary>
    LinkTest = 0x04,

    /// <summary>F1 set main node address, F3 start broadcast, ...</summary>
    Control = 0x05,

    /// <summary>Module-initiated reports (slave nodes, read data, route state changes, events).</summary>
    Report = 0x06,

    /// <summary>F1 slave node count, F2 slave node list, F4 route run state, ...</summary>
    RouteQuery = 0x10,

    /// <summary>F1 add slave nodes, F2 delete slave nodes, F4 work mode, F5 activate registration.</summary>
    RouteSet = 0x11,

    /// <summary>F1 restart, F2 pause, F3 resume.</summary>
    RouteControl = 0x12,

    /// <summary>F1 relay a frame to a slave node (meter) and return its reply.</summary>
    RouteForward = 0x13,

    /// <summary>Module requests: F1 what to read, F2 concentrator clock, F3 delay correction.</summary>
    RouteRequest = 0x14,

    /// <summary>File transfer (module firmware).</summary>
    FileTransfer = 0x15,
}
