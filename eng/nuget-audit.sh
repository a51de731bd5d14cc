#!/usr/bin/env bash
# NuGet audit: Directory.Build.props makes every restore check every package, direct or transitive, at
# every severity, against the package source's vulnerability data, and fail (NU1901-NU1904 are errors).
# This script (run by .ci/run) makes that gate visible:
#   1. it says whether the configured package source publishes vulnerability data at all: a mirror may
#      not, and then restore has nothing to check against (it says so instead of passing in silence);
#   2. it proves the gate is armed: a probe project built with this repository's settings restores
#      against a loopback audit feed that declares one of our packages vulnerable, and must fail NU1903.
#
#   eng/nuget-audit.sh
# The report for the real solution: `dotnet list Modular.sln package --vulnerable --include-transitive`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/modular-audit-XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# 1. Does the source restore uses publish vulnerability data (a VulnerabilityInfo resource)?
for source in $(dotnet nuget list source --format short | awk '$1 ~ /^E/ && $2 ~ /^https?:/ { print $2 }'); do
  if curl -fsS --max-time 20 "$source" | grep -q '"VulnerabilityInfo/'; then
    echo "nuget audit: $source publishes vulnerability data; every restore above was audited against it"
  else
    echo "nuget audit: WARNING: $source publishes no vulnerability data, so restore could not audit against it here" \
      "(on nuget.org it does; run 'dotnet list Modular.sln package --vulnerable --include-transitive' where it is reachable)"
  fi
done

# 2. The gate itself: the probe takes the repository's build and package settings, and a feed on
# loopback says the Npgsql version we pin is vulnerable; the probe takes Npgsql only transitively (through
# the EF Core provider), which NuGetAuditMode=all must catch.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
feed="http://127.0.0.1:$port"
mkdir -p "$work/feed/v" "$work/probe"
cat > "$work/feed/index.json" <<EOF
{ "version": "3.0.0", "resources": [ { "@id": "$feed/v/index.json", "@type": "VulnerabilityInfo/6.7.0" } ] }
EOF
cat > "$work/feed/v/index.json" <<EOF
[ { "@name": "base", "@id": "$feed/v/base.json", "@updated": "2026-01-01T00:00:00Z" },
  { "@name": "update", "@id": "$feed/v/update.json", "@updated": "2026-01-01T00:00:00Z" } ]
EOF
echo '{ "npgsql": [ { "url": "https://example.invalid/probe-advisory", "severity": 2, "versions": "(, 999.0.0)" } ] }' > "$work/feed/v/base.json"
echo '{}' > "$work/feed/v/update.json"
(cd "$work/feed" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!

cat > "$work/probe/Directory.Build.props" <<EOF
<Project><Import Project="$root/Directory.Build.props" /></Project>
EOF
cat > "$work/probe/Directory.Packages.props" <<EOF
<Project><Import Project="$root/Directory.Packages.props" /></Project>
EOF
cat > "$work/probe/Probe.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup><PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" /></ItemGroup>
</Project>
EOF
cat > "$work/probe/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><clear /><add key="local-cache" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" /></packageSources>
  <auditSources><clear /><add key="probe" value="$feed/index.json" allowInsecureConnections="true" /></auditSources>
</configuration>
EOF
for _ in $(seq 50); do curl -fs "$feed/index.json" >/dev/null && break; sleep 0.1; done

if output=$(cd "$work/probe" && dotnet restore 2>&1); then
  echo "$output"
  echo "FAIL: a package the audit feed declares vulnerable restored without an error: the NuGet audit gate is off" >&2
  exit 1
fi
grep -q 'error NU1903' <<<"$output" || { echo "$output"; echo "FAIL: the probe failed, but not with NU1903" >&2; exit 1; }
echo "nuget audit: the gate holds (a package declared vulnerable fails restore with NU1903)"
