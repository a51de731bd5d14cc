#!/usr/bin/env bash
# Do the account forms' answer times tell who has an account? The real host (Release, Production environment, its
# own keys, SQLite, Kestrel on loopback) answers N requests per branch — sign-in as an unknown, unconfirmed or
# locked account or with a wrong password; register a new or a taken address; forgot-password for a known or an
# unknown address — one at a time, interleaved; prints each branch's median beside its ratio to the slowest of its
# form. Goal: every branch within 20 % of the others. Usage: bench/account-timing.sh [rounds] (default 100).
set -euo pipefail
rounds=${1:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
echo "== building (Release)"
dotnet build "$root/bench/Modular.Bench" -c Release -v q -nologo >/dev/null
# WebApplicationFactory finds the host's content root from the build output.
cd "$root/bench/Modular.Bench/bin/Release/net10.0"
dotnet Modular.Bench.dll account-timing "$rounds"
