#!/usr/bin/env python3
"""Reference decoder of DCU reading batches, as a DCP would read them (docs/compact-encoding.md).

Standard library only (zlib, struct). Reads one payload (a file, or stdin with "-") and prints the
batch as the JSON of docs/mqtt-contract.md, whatever its encoding:
  - compact       (content type application/vnd.dcu.compact; starts with b"DCUR")
  - json-deflate  (application/vnd.dcu.json-deflate; raw DEFLATE of the JSON)
  - json          (application/json)
--bits adds "vb": the value's IEEE 754 binary64 bits as 16 hex digits (exact comparison in tests).
Exit code 0 when decoded, 2 with a message on stderr when the payload is invalid.

    python3 decode_compact.py payload.bin [--bits] [--content-type TYPE]
"""
import json
import struct
import sys
import zlib

MAGIC = b"DCUR"
VERSION = 1
MAX_BODY = 16 * 1024 * 1024
MAX_STRING = 65535
DECIMAL_BIAS = 22
FLOAT32 = 0x40
FLOAT64 = 0x41
MAX_MANTISSA = 1 << 53
KNOWN_FLAGS = 0b111
POW10 = [float(10 ** k) for k in range(23)]  # all exact doubles


class CompactError(ValueError):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def varint(self, field):
        value = 0
        for i in range(10):
            if self.pos >= len(self.data):
                raise CompactError(f"Truncated at {field}: ends inside a varint")
            b = self.data[self.pos]
            self.pos += 1
            if i == 9 and b > 1:
                raise CompactError(f"BadVarint at {field}: longer than 64 bits")
            value |= (b & 0x7F) << (7 * i)
            if b < 0x80:
                if b == 0 and i > 0:
                    raise CompactError(f"BadVarint at {field}: not in its shortest form")
                return value
        raise CompactError(f"BadVarint at {field}: longer than 64 bits")

    def signed(self, field):
        v = self.varint(field)
        return (v >> 1) ^ -(v & 1)

    def count(self, field, limit):
        v = self.varint(field)
        if v > limit:
            raise CompactError(f"TooLarge at {field}: {v} over {limit}")
        return v

    def bytes(self, n, field):
        if n > self.remaining():
            raise CompactError(f"Truncated at {field}: needs {n} bytes, {self.remaining()} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def string(self, field):
        n = self.count(field + " length", MAX_STRING)
        try:
            return self.bytes(n, field).decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise CompactError(f"BadString at {field}: {e}") from None


def wrap64(v):
    """Two's complement 64-bit wrap-around, as the read-time deltas are written."""
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


def decode_compact(payload):
    """Returns {"dcu", "seq", "readings": [{"m","q","v","u","t","rt","f"}]}; v is a float (NaN/inf kept)."""
    if payload[:4] != MAGIC[:len(payload[:4])]:
        raise CompactError("BadMagic: does not start with DCUR")
    head = Reader(payload)
    head.bytes(4, "magic")
    version = head.bytes(1, "version")[0]
    if version != VERSION:
        raise CompactError(f"UnsupportedVersion: {version}")
    body_length = head.count("body length", MAX_BODY)
    deflated_length = head.count("deflate length", 2 ** 31 - 1)
    if deflated_length > head.remaining():
        raise CompactError(f"Truncated at deflate stream: declares {deflated_length}, {head.remaining()} present")
    if deflated_length < head.remaining():
        raise CompactError(f"TrailingBytes at deflate stream: declares {deflated_length}, {head.remaining()} present")
    inflater = zlib.decompressobj(-15)
    try:
        body = inflater.decompress(head.bytes(deflated_length, "deflate stream"), body_length + 1)
    except zlib.error as e:
        raise CompactError(f"BadDeflate: {e}") from None
    if len(body) != body_length or not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise CompactError(f"BadDeflate: inflates to {len(body)} bytes (end of stream: {inflater.eof}), {body_length} declared")

    r = Reader(body)
    dcu = r.string("dcu id")
    seq = r.signed("seq")
    count = r.count("count", len(body) // 7)
    if count == 0:
        raise CompactError("TooLarge at count: a batch holds at least one reading")
    base = r.signed("base time")
    step = r.varint("step")
    if step == 0:
        raise CompactError("BadTime at step: is 0")
    meters = [r.string(f"meters[{i}]") for i in range(r.count("meter count", count))]
    units = [r.string(f"units[{i}]") for i in range(r.count("unit count", count))]
    quantities = []
    for i in range(r.count("quantity count", count)):
        obis = ".".join(str(b) for b in r.bytes(5, f"quantities[{i}] obis"))
        unit = r.varint(f"quantities[{i}] unit")
        if unit >= len(units):
            raise CompactError(f"IndexOutOfRange at quantities[{i}] unit: {unit} of {len(units)}")
        quantities.append((obis, units[unit]))

    meter_of, m = [], 0
    for i in range(count):
        m += r.signed(f"meter[{i}]")
        if not 0 <= m < len(meters):
            raise CompactError(f"IndexOutOfRange at meter[{i}]: {m} of {len(meters)}")
        meter_of.append(m)
    quantity_of = []
    for i in range(count):
        q = r.varint(f"quantity[{i}]")
        if q >= len(quantities):
            raise CompactError(f"IndexOutOfRange at quantity[{i}]: {q} of {len(quantities)}")
        quantity_of.append(q)
    interval_of = []
    for i in range(count):
        t = base + r.varint(f"interval[{i}]") * step
        if t > (1 << 63) - 1:
            raise CompactError(f"BadTime at interval[{i}]: beyond 64-bit Unix ms")
        interval_of.append(t)
    read_of, rt = [], base
    for i in range(count):
        rt = wrap64(rt + r.signed(f"read time[{i}]"))
        read_of.append(rt)
    flags_of = []
    for i in range(count):
        f = r.varint(f"flags[{i}]")
        if f > KNOWN_FLAGS:
            raise CompactError(f"BadFlags at flags[{i}]: {f}")
        flags_of.append(f)
    kinds = r.bytes(count, "value kinds")
    readings = []
    for i in range(count):
        kind = kinds[i]
        if kind <= 2 * DECIMAL_BIAS:
            mantissa = r.signed(f"value[{i}]")
            if abs(mantissa) > MAX_MANTISSA:
                raise CompactError(f"BadValue at value[{i}]: mantissa beyond 2^53")
            e = kind - DECIMAL_BIAS
            # One IEEE operation on two exact doubles: correctly rounded, the same bits as the encoder checked.
            value = float(mantissa) / POW10[-e] if e < 0 else float(mantissa) * POW10[e]
        elif kind == FLOAT32:
            value = struct.unpack("<f", r.bytes(4, f"value[{i}]"))[0]
        elif kind == FLOAT64:
            value = struct.unpack("<d", r.bytes(8, f"value[{i}]"))[0]
        else:
            raise CompactError(f"BadValue at value kind[{i}]: unknown kind 0x{kind:02X}")
        obis, unit = quantities[quantity_of[i]]
        readings.append({"m": meters[meter_of[i]], "q": obis, "v": value, "u": unit,
                         "t": interval_of[i], "rt": read_of[i], "f": flags_of[i]})
    if r.remaining():
        raise CompactError(f"TrailingBytes at body: {r.remaining()} bytes after the last value")
    return {"dcu": dcu, "seq": seq, "readings": readings}


def decode_any(payload, content_type=None):
    """Decodes by content type when given, else by the magic (compact) or by trying raw DEFLATE then JSON."""
    if content_type == "application/vnd.dcu.compact" or (content_type is None and payload[:4] == MAGIC):
        return decode_compact(payload)
    if content_type == "application/vnd.dcu.json-deflate" or content_type is None and payload[:1] not in (b"{", b" "):
        inflater = zlib.decompressobj(-15)
        text = inflater.decompress(payload)
        if not inflater.eof or inflater.unused_data:
            raise CompactError("BadDeflate: json-deflate payload is truncated or has trailing bytes")
        payload = text
    batch = json.loads(payload)
    for reading in batch["readings"]:
        reading.setdefault("f", 0)
        if reading["v"] is None:
            reading["v"] = float("nan")
    return batch


def to_contract_json(batch, bits=False):
    readings = []
    for r in batch["readings"]:
        v = r["v"]
        out = {"m": r["m"], "q": r["q"], "v": v if v == v and v not in (float("inf"), float("-inf")) else None,
               "u": r["u"], "t": r["t"], "rt": r["rt"]}
        if r["f"]:
            out["f"] = r["f"]
        if bits:
            out["vb"] = struct.pack(">d", v).hex()
        readings.append(out)
    return json.dumps({"dcu": batch["dcu"], "seq": batch["seq"], "readings": readings}, ensure_ascii=False, separators=(",", ":"))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    bits = "--bits" in argv
    content_type = None
    if "--content-type" in argv:
        content_type = argv[argv.index("--content-type") + 1]
        args.remove(content_type)
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    payload = sys.stdin.buffer.read() if args[0] == "-" else open(args[0], "rb").read()
    try:
        batch = decode_any(payload, content_type)
    except (CompactError, zlib.error, ValueError, KeyError) as e:
        print(f"invalid payload: {e}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(to_contract_json(batch, bits).encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
