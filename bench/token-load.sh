#!/usr/bin/env bash
# Client-credentials grants per second and p95 latency: the real host (Production settings, its own
# keys, token storage on) on a real Kestrel on loopback, against a bare endpoint returning a pre-signed
# JWT, measured in the same run with wrk. Usage: bench/token-load.sh [seconds] [connections]
# Needs wrk (apt-get install wrk) and openssl. PostgreSQL instead of SQLite: MODULAR_BENCH_POSTGRES=<connection string>.
set -euo pipefail
duration=${1:-15}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

echo "== building (Release)"
dotnet build "$root/host/Modular.Host" -c Release -v q -nologo >/dev/null
dotnet build "$root/bench/Modular.Bench" -c Release -v q -nologo >/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/signing.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/encryption.pem" 2>/dev/null
secret=$(openssl rand -hex 24)
export ASPNETCORE_ENVIRONMENT=Production
export Logging__LogLevel__Default=Warning
export Https__Required=false # plain HTTP on loopback
export RateLimiting__PermitLimit=100000000
export Identity__SigningKeys__0="$work/signing.pem" Identity__EncryptionKeys__0="$work/encryption.pem"
export Identity__Clients__0__ClientId=bench Identity__Clients__0__ClientSecret="$secret"
export Identity__Clients__0__GrantTypes__0=client_credentials Identity__Clients__0__Scopes__0=api
if [ -n "${MODULAR_BENCH_POSTGRES:-}" ]; then
  export Database__Provider=Postgres Database__ConnectionString="$MODULAR_BENCH_POSTGRES"
else
  export Database__Provider=Sqlite Database__ConnectionString="Data Source=$work/bench-{module}.db"
fi

host_dll="$root/host/Modular.Host/bin/Release/net10.0/Modular.Host.dll"
(cd "$root/host/Modular.Host" && dotnet "$host_dll" --migrate)
(cd "$root/host/Modular.Host" && exec dotnet "$host_dll" --urls http://127.0.0.1:5191) >"$work/host.log" 2>&1 &
pids+=($!)
dotnet "$root/bench/Modular.Bench/bin/Release/net10.0/Modular.Bench.dll" jwt-baseline http://127.0.0.1:5192 >"$work/baseline.log" 2>&1 &
pids+=($!)
for port in 5191 5192; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done
sleep 2 # the host seeds its client at start-up

basic=$(printf 'bench:%s' "$secret" | base64 -w0)
cat >"$work/grant.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=api"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
local failures = 0
response = function(status, headers, body) if status ~= 200 then failures = failures + 1 end end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(95) / 1000, summary.requests, summary.errors.status + failures))
end
LUA

check=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Basic $basic" -d 'grant_type=client_credentials&scope=api' http://127.0.0.1:5191/connect/token)
[ "$check" = 200 ] || { echo "the host's token endpoint answered $check"; cat "$work/host.log"; exit 1; }

run() { wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${duration}s" -s "$work/grant.lua" "$1" | grep '^RESULT'; }
echo "== warm-up"; run http://127.0.0.1:5191/connect/token >/dev/null; run http://127.0.0.1:5192/connect/token >/dev/null
echo "== measuring ${duration}s each, $connections connections"
read -r _ host_rps host_p95 host_n host_err <<<"$(run http://127.0.0.1:5191/connect/token)"
read -r _ base_rps base_p95 base_n base_err <<<"$(run http://127.0.0.1:5192/connect/token)"
printf '%-44s %12s %10s %10s\n' "" "grants/s" "p95 ms" "non-200"
printf '%-44s %12s %10s %10s\n' "Modular /connect/token (storage on)" "$host_rps" "$host_p95" "$host_err"
printf '%-44s %12s %10s %10s\n' "bare endpoint, pre-signed JWT (baseline)" "$base_rps" "$base_p95" "$base_err"
awk -v h="$host_rps" -v b="$base_rps" 'BEGIN { printf "ratio (host / baseline): %.3f\n", h / b }'
