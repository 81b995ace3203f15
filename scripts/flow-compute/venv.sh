#!/usr/bin/env bash
# Installs the official Python client (flow-compute, pinned) into a throwaway virtualenv kept in a
# cache between runs, and prints the venv's directory on the last line. The live Mithril API's
# OpenAPI description ships inside this package; tests read it from there, never from a copy.
# 3.28.2 is the newest release on PyPI as checked for issue 13 (`pip index versions flow-compute`),
# and it still ships flow/adapters/providers/builtin/mithril/api/openapi.json.
set -euo pipefail
version="${FLOW_COMPUTE_VERSION:-3.28.2}"
venv="${PULUMI_FCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-fcp}/flow-compute-venv-$version"
# The marker is written last, so an interrupted install is redone rather than trusted.
if [ ! -f "$venv/.installed" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "flow-compute==$version" >&2
  touch "$venv/.installed"
fi
echo "$venv"
