#!/usr/bin/env bash
# Two instances of the host behind haproxy on this machine, as production runs them (docs/adr/0020):
# http://127.0.0.1:5100 is the balancer (round robin for the API, sticky for the console), 5101 and 5102 the instances.
# Needs PostgreSQL and haproxy (apt-get install haproxy); Redis optional.
#   MODULAR_POSTGRES="Host=localhost;Database=modular;Username=modular;Password=..." eng/run-two-instances.sh
#   MODULAR_REDIS=127.0.0.1:6379 ...   also share rate limits and the cache through Redis
# Ctrl-C stops everything. Stop one instance with `kill <pid>` (printed below) to watch it drain and the other take over.
set -euo pipefail
: "${MODULAR_POSTGRES:?set MODULAR_POSTGRES to a PostgreSQL connection string}"
command -v haproxy >/dev/null || { echo "haproxy is needed: apt-get install haproxy" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

dotnet build "$root/host/Modular.Host" -c Release -v q -nologo >/dev/null
host_dll="$root/host/Modular.Host/bin/Release/net10.0/Modular.Host.dll"

# Every instance signs and encrypts tokens with the same keys, and names the balancer as the issuer.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/signing.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/encryption.pem" 2>/dev/null
export ASPNETCORE_ENVIRONMENT=Production Https__Required=false
export Database__Provider=Postgres Database__ConnectionString="$MODULAR_POSTGRES"
export Identity__Issuer=http://127.0.0.1:5100/ Identity__SigningKeys__0="$work/signing.pem" Identity__EncryptionKeys__0="$work/encryption.pem"
export Identity__SeedAdmin__Email=admin@localhost Identity__SeedAdmin__Password=dev-only-Passw0rd
export Shutdown__DrainDelay=00:00:03 # longer than haproxy's inter × fall below
[ -n "${MODULAR_REDIS:-}" ] && export Redis__ConnectionString="$MODULAR_REDIS"

(cd "$root/host/Modular.Host" && dotnet "$host_dll" --migrate)
for port in 5101 5102; do
  (cd "$root/host/Modular.Host" && exec dotnet "$host_dll" --urls "http://127.0.0.1:$port") &
  pids+=($!)
  echo "instance on :$port is pid $!"
done

cat >"$work/haproxy.cfg" <<CFG
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  option redispatch
  retries 3
  retry-on conn-failure
  timeout check 2s
frontend web
  bind 127.0.0.1:5100
  use_backend console if { path_beg /admin /_blazor }
  default_backend api
backend api
  balance roundrobin
  option httpchk GET /health/ready
  http-response set-header X-Served-By %[srv_name]
  server a 127.0.0.1:5101 check inter 500ms fall 3 rise 2
  server b 127.0.0.1:5102 check inter 500ms fall 3 rise 2
backend console
  balance roundrobin
  cookie modular_instance insert indirect nocache httponly
  option httpchk GET /health/ready
  http-response set-header X-Served-By %[srv_name]
  server a 127.0.0.1:5101 check inter 500ms fall 3 rise 2 cookie a
  server b 127.0.0.1:5102 check inter 500ms fall 3 rise 2 cookie b
CFG
haproxy -db -f "$work/haproxy.cfg" &
pids+=($!)
echo "balancer on http://127.0.0.1:5100 (console: /admin, admin@localhost / dev-only-Passw0rd)"
wait
