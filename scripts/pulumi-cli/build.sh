#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules, pinned to the @pulumi/pulumi version in package-lock.json,
# into ${PULUMI_FCP_CACHE:-$HOME/.cache/pulumi-fcp}/pulumi-cli/v<version>/bin with our Node.js
# language host and the two plugin launchers. Reuses that directory when it is complete and built
# from the same inputs. Prints the bin directory as the last line of stdout:
#   export PATH="$(scripts/pulumi-cli/build.sh | tail -1):$PATH"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
say() { echo "pulumi-cli: $*" >&2; }

version=$(node -p 'require(process.argv[1]).packages["node_modules/@pulumi/pulumi"].version' "$repo/package-lock.json")
pinned=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$here/module/go.mod")
if [ "v$version" != "$pinned" ]; then
  say "package-lock.json has @pulumi/pulumi $version but scripts/pulumi-cli/module/go.mod pins $pinned."
  say "Update the module: cd scripts/pulumi-cli/module && go get github.com/pulumi/pulumi/pkg/v3@v$version github.com/pulumi/pulumi/sdk/v3@v$version && go mod tidy"
  exit 1
fi

cache=${PULUMI_FCP_CACHE:-$HOME/.cache/pulumi-fcp}/pulumi-cli
prefix=$cache/v$version
bin=$prefix/bin
inputs=$(cd "$here" && find module launchers build.sh -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)

if [ -f "$bin/.inputs" ] && [ "$(cat "$bin/.inputs")" = "$inputs" ] && "$bin/pulumi" version >/dev/null 2>&1; then
  say "reusing $bin ($("$bin/pulumi" version))"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { say "go is not on PATH; install Go 1.26 or later"; exit 1; }
export GOMODCACHE=$cache/gomod GOCACHE=$cache/gocache GOFLAGS="-mod=readonly -buildvcs=false"
mkdir -p "$prefix"
work=$(mktemp -d "$prefix/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$here/module/." "$work/"
cd "$work"

start=$SECONDS
say "downloading Go modules for pulumi v$version (cached in $GOMODCACHE)"
go mod download
say "compiling pulumi v$version (10-30 min on a cold cache with 2 cores, seconds when warm)"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
nice go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
say "compiling pulumi-language-nodejs (ours: upstream's module is not served by the Go proxy)"
nice go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs
install -m 0755 "$here/launchers/pulumi-resource-pulumi-nodejs" "$here/launchers/pulumi-analyzer-policy" "$work/bin/"
echo "$inputs" > "$work/bin/.inputs"

rm -rf "$bin"
mv "$work/bin" "$bin"
say "built in $((SECONDS - start)) s: $("$bin/pulumi" version) in $bin"
echo "$bin"
