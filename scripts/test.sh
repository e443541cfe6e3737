#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (as root), then runs the whole suite.
# Browser tests use Debian's chromium through Playwright; with CI=true a missing browser fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
python3 -m pip install -q --upgrade pip
python3 -m pip install -q '.[test]'
python3 -m pytest "$@"
