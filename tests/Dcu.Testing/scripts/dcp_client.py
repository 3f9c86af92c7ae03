#!/usr/bin/python3
"""A stand-in DCP for contract tests: Debian's python3-paho-mqtt (not MQTTnet) over MQTT 5.

Subscribes to a topic filter at QoS 1 and prints one JSON line per event on stdout:
  {"event":"subscribed"}
  {"event":"message","topic":..,"payload":<utf-8 text or null>,"b64":<base64>,"contentType":..,"retain":bool}
  {"event":"published","n":<request number>}
Reads one JSON line per request on stdin: {"n":1,"topic":..,"payload":"text" | "b64":"...","qos":1,"retain":false}.
"""
import argparse
import base64
import json
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

lock = threading.Lock()


def emit(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--filter", required=True)
    args = ap.parse_args()

    client = mqtt.Client(client_id=args.client_id, protocol=mqtt.MQTTv5)
    pending = {}

    def on_connect(c, userdata, flags, rc, properties=None):
        if rc != 0:
            emit({"event": "error", "detail": "connect refused: %s" % rc})
            return
        c.subscribe(args.filter, qos=1)

    def on_subscribe(c, userdata, mid, granted, properties=None):
        emit({"event": "subscribed"})

    def on_message(c, userdata, msg):
        try:
            text = msg.payload.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        ct = getattr(msg.properties, "ContentType", None) if msg.properties is not None else None
        emit({"event": "message", "topic": msg.topic, "payload": text, "b64": base64.b64encode(msg.payload).decode("ascii"),
              "contentType": ct, "retain": bool(msg.retain)})

    def on_publish(c, userdata, mid):
        n = pending.pop(mid, None)
        if n is not None:
            emit({"event": "published", "n": n})

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.on_publish = on_publish
    client.connect("127.0.0.1", args.port, keepalive=30, clean_start=True)
    client.loop_start()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        payload = base64.b64decode(req["b64"]) if "b64" in req else req["payload"].encode("utf-8")
        with lock:  # mid is known only after publish(); on_publish may fire before we store it
            info = client.publish(req["topic"], payload, qos=req.get("qos", 1), retain=req.get("retain", False))
            pending[info.mid] = req["n"]
        if info.is_published() and info.mid in pending:
            emit({"event": "published", "n": pending.pop(info.mid)})
    client.loop_stop()
    client.disconnect()


if __name__ == "__main__":
    main()
