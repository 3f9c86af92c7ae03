#!/usr/bin/python3
"""Modbus RTU server for integration tests: pymodbus 3.0 (Debian python3-pymodbus) on a serial
port or pty.

Run with /usr/bin/python3 (pymodbus lives in /usr/lib/python3/dist-packages):

    /usr/bin/python3 modbus_rtu_server.py --port /tmp/dcu-pty-b --units 1,2 --exception-units 9

Every unit in --units looks like an Eastron SDM630: input registers (FC 04) and, mirrored, holding
registers (FC 03), float32 high word first:

    0x0000 V L1 230.2 V    0x0002 V L2 231.0 V    0x0004 V L3 229.8 V
    0x0006 I L1 5.25 A     0x0008 I L2 4.5 A      0x000A I L3 3.75 A
    0x0034 total P = 1000.0 + unit id W (tells which unit answered)
    0x0046 50.0 Hz         0x0048 import 1234.5 kWh   0x004A export 12.5 kWh

Registers 0x0000..0x00FF exist (zeros elsewhere); reads beyond give exception 02. Units in
--exception-units answer every read with exception 02 (illegal data address). Any other unit id is
silent. Prints "READY" on stdout once the port is open; runs until killed.
"""
import argparse
import asyncio
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer

SIZE = 0x100


def floats(pairs):
    regs = [0] * SIZE
    for address, value in pairs:
        hi, lo = struct.unpack(">HH", struct.pack(">f", value))
        regs[address], regs[address + 1] = hi, lo
    return regs


def meter_registers(unit):
    return floats([
        (0x00, 230.2), (0x02, 231.0), (0x04, 229.8),
        (0x06, 5.25), (0x08, 4.5), (0x0A, 3.75),
        (0x34, 1000.0 + unit),
        (0x46, 50.0), (0x48, 1234.5), (0x4A, 12.5),
    ])


class RefusingBlock(ModbusSequentialDataBlock):
    """A block where no address is valid: every read gets exception 02."""

    def __init__(self):
        super().__init__(0, [0])

    def validate(self, address, count=1):
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    parser.add_argument("--units", default="1")
    parser.add_argument("--exception-units", default="")
    parser.add_argument("--baudrate", type=int, default=9600)
    args = parser.parse_args()

    slaves = {}
    for unit in (int(u) for u in args.units.split(",") if u):
        # zero_mode: request address N is list index N.
        slaves[unit] = ModbusSlaveContext(
            ir=ModbusSequentialDataBlock(0, meter_registers(unit)),
            hr=ModbusSequentialDataBlock(0, meter_registers(unit)),
            zero_mode=True)
    for unit in (int(u) for u in args.exception_units.split(",") if u):
        slaves[unit] = ModbusSlaveContext(ir=RefusingBlock(), hr=RefusingBlock(), zero_mode=True)
    context = ModbusServerContext(slaves=slaves, single=False)

    async def run():
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=args.port,
                                    baudrate=args.baudrate, ignore_missing_slaves=True)
        await server.start()
        if server.transport is None:
            print(f"FAILED to open {args.port}", flush=True)
            sys.exit(2)
        print("READY", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
