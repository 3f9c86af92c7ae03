#!/usr/bin/env bash
# Runs the whole test suite. First installs, when missing, the real parts the integration tests
# talk to: Mosquitto (broker), socat (virtual serial ports), python3-pymodbus (a Modbus server
# nobody here wrote, with python3-serial-asyncio for its serial server) and python3-paho-mqtt (a DCP-side client that is not MQTTnet).
# Then, since the build for a box is NativeAOT, it publishes that build (clang and zlib1g-dev, installed
# when missing) and runs the tests that start the dcu process once more against the native executable.
# Usage: scripts/test.sh [extra dotnet test arguments]     (TEST_DCU_AOT=0 skips the NativeAOT stage)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
command -v socat >/dev/null || missing+=(socat)
/usr/bin/python3 -c 'import pymodbus' 2>/dev/null || missing+=(python3-pymodbus)
# pymodbus's serial server needs pyserial-asyncio, only a Recommends of python3-pymodbus.
/usr/bin/python3 -c 'import serial_asyncio' 2>/dev/null || missing+=(python3-serial-asyncio)
/usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null || missing+=(python3-paho-mqtt)
# TEST_DCU_ like TEST_DCU_EXECUTABLE: a DCU_ variable would reach the dcu processes the tests start as configuration.
aot=${TEST_DCU_AOT:-1}
if [ "$aot" != 0 ]; then
  command -v clang >/dev/null || missing+=(clang)
  [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log=$(mktemp)
out=$(mktemp -d)
trap 'rm -rf "$log" "$out"' EXIT
set +e
dotnet test Dcu.sln -c Release -warnaserror -p:TreatWarningsAsErrors=true "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && [ "$aot" != 0 ]; then
  arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
  echo "test.sh: NativeAOT: publishing dcu for linux-$arch and running the Host tests against it"
  dotnet publish src/Dcu.Host -c Release -r "linux-$arch" -p:PublishAot=true -warnaserror -o "$out/aot" 2>&1 | tail -n 20
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ]; then
    TEST_DCU_EXECUTABLE="$out/aot/dcu" dotnet test tests/Dcu.Host.Tests -c Release --no-build "$@" 2>&1 | tee -a "$log"
    rc=${PIPESTATUS[0]}
  fi
fi
set -e
# One closing line over all test runs, in the plain "N passed, N failed" form.
awk '/(Passed|Failed)! +- +Failed: /{
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i=="Failed:") f+=$(i+1); if ($i=="Passed:") p+=$(i+1); if ($i=="Skipped:") s+=$(i+1) }
     } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
