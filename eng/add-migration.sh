#!/usr/bin/env bash
# Adds a migration to a module for both providers: eng/add-migration.sh <Module> <MigrationName>
# e.g. eng/add-migration.sh Tenants AddTenantMetadata
#
# Each module keeps Migrations/Postgres and Migrations/Sqlite; the kernel shows EF only the active
# provider's set. `dotnet ef` looks for the model snapshot by file name across the whole project, so
# the other provider's folder is moved aside while one provider's migration is generated.
set -euo pipefail
module=${1:?module name, e.g. Tenants}
name=${2:?migration name}
root=$(cd "$(dirname "$0")/.." && pwd)
project=$(ls -d "$root"/modules/"$module"/*."$module" 2>/dev/null | head -1)
[ -n "$project" ] || { echo "no module project under modules/$module" >&2; exit 1; }
aside=$(mktemp -d)
trap 'for p in Postgres Sqlite; do [ -d "$aside/$p" ] && mv "$aside/$p" "$project/Migrations/$p"; done; rmdir "$aside"' EXIT

cd "$root"
dotnet tool restore >/dev/null
for provider in Postgres Sqlite; do
  other=$([ "$provider" = Postgres ] && echo Sqlite || echo Postgres)
  [ -d "$project/Migrations/$other" ] && mv "$project/Migrations/$other" "$aside/$other"
  MODULAR_EF_PROVIDER=$provider dotnet ef migrations add "$name" \
    --project "$project" --startup-project "$project" --output-dir "Migrations/$provider"
  [ -d "$aside/$other" ] && mv "$aside/$other" "$project/Migrations/$other"
done
echo "Added $name to $module for PostgreSQL and SQLite."
