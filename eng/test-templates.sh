#!/usr/bin/env bash
# Tests the dotnet new templates the way a user meets them: pack the template package, install it
# into a throwaway hive, generate Acme.Platform three ways (default, --database postgres,
# --admin false) and check each; add a module with the module template to the default solution and
# do the one edit it prints; then build the default (with the module) and the one without the console,
# with warnings as errors, and run the default's smoke tests and, without the console, the host's and the
# architecture rules (the postgres variant differs only in configuration, which is checked).
#
#   eng/test-templates.sh            (.ci/run calls it after the main tests, with CI=true)
#
# Offline and fast on 2 cores: a nuget.config above the generated solutions points restore at the
# local package cache only, each solution is built once, and tests run filtered to Category=Smoke
# (one real integration test per module, the readiness test, one outbox test, the architecture rules).
# The generated solutions' PostgreSQL tests start their own cluster, as the main tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/modular-templates-XXXXXX")
hive="$work/hive"
name=Acme.Platform
started=$SECONDS
trap 'status=$?; if [ $status -eq 0 ]; then rm -rf "$work"; else echo "template test failed; generated solutions kept in $work" >&2; fi' EXIT

step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Restore from the machine's package cache only: no network, and the same versions the repo uses.
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local-cache" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </packageSources>
</configuration>
EOF

# `dotnet sln add` rewrites Modular.sln without the '#if (admin)' lines that --admin false relies on.
# Four blocks for the console (folder, project, its build configurations, its nesting), three for its browser tests.
[ "$(grep -c '^#if (admin)$' Modular.sln)" -eq 7 ] && [ "$(grep -c '^#endif$' Modular.sln)" -eq 7 ] \
  || fail "Modular.sln lost its '#if (admin)' ... '#endif' lines around the admin console (dotnet sln add drops them): put them back around the Modular.Admin, Modular.Admin.Tests and admin-folder entries (docs/adr/0006-templates.md)"

step "pack templates/Modular.Templates.csproj"
rm -f artifacts/Modular.Templates.*.nupkg
dotnet pack templates/Modular.Templates.csproj -o artifacts --nologo -v quiet
package=$(ls artifacts/Modular.Templates.*.nupkg)

step "install $package into an isolated hive"
dotnet new install "./$package" --debug:custom-hive "$hive"
installed=$(dotnet new list --debug:custom-hive "$hive")
for short in modular modular-module; do
  grep -Eq " $short +\[C#\]" <<<"$installed" || fail "$package does not install the '$short' template"
done

# Builds once, then runs the smoke tests (their output also goes to $work/last-test.log); a second argument narrows them.
build_and_test() {
  local dir=$1 filter=${2:-Category=Smoke}
  (cd "$dir" && dotnet build "$name.sln" -warnaserror -nologo -v quiet -clp:NoSummary)
  (cd "$dir" && dotnet test "$name.sln" --no-build --filter "$filter" --nologo) | tee "$work/last-test.log"
}

# What the generated solution must not contain, whatever the options.
check_clean() {
  local dir=$1
  local found
  found=$(cd "$dir" && find . \( -name .template.config -o -name templates -o -name .ci -o -name .git \
    -o -name '*.db' -o -name 'README-template.md' -o -name 'test-templates.sh' -o -name '0006-templates.md' \) -print)
  [ -z "$found" ] || fail "template-only files in $dir: $found"
  ! grep -rIl --exclude-dir=obj --exclude-dir=bin -e '#if (' -e '#endif' -e 'TEMPLATE_PACKAGE_NAME' -e 'MODULE_TEMPLATE_SHORT_NAME' "$dir" || fail "unprocessed template markup in $dir"
  # Every "Modular" became the new name; the template package keeps its own name in the README.
  ! grep -rI --exclude-dir=obj --exclude-dir=bin 'Modular' "$dir" | grep -v 'Modular\.Templates' || fail "'Modular' left in $dir"
  [ -f "$dir/$name.sln" ] && [ -f "$dir/README.md" ] && [ -d "$dir/host/$name.Host" ] || fail "$dir is not a renamed solution"
  grep -q "dotnet run --project host/$name.Host" "$dir/README.md" && grep -q "dotnet test $name.sln" "$dir/README.md" \
    || fail "README.md of $dir lacks the two commands"
  grep -q "dotnet new modular-module -n Orders --root $name" "$dir/README.md" || fail "README.md of $dir lacks the module command"
}

new_solution() {
  local variant=$1
  shift
  mkdir -p "$work/$variant"
  (cd "$work/$variant" && dotnet new modular -n "$name" "$@" --no-update-check --debug:custom-hive "$hive")
}

step "default options: dotnet new modular -n $name (restore post-action, offline)"
new_solution default
default="$work/default/$name"
[ -d "$default/host/$name.Host/obj" ] || fail "the restore post-action did not run"
check_clean "$default"
grep -q '"Provider": "Sqlite"' "$default/host/$name.Host/appsettings.json" || fail "default is not SQLite"
grep -q 'acme.platform-{module}.db' "$default/host/$name.Host/appsettings.json" || fail "SQLite file name not renamed"
[ -d "$default/admin/$name.Admin" ] || fail "admin console missing by default"
# Built and tested once, below, with the Orders module added: the module only adds to it, so that build proves this
# one's code too, and CI spends one build of it instead of two.

step "--database postgres --signup open"
new_solution postgres --database postgres --signup open --skip-restore
pg="$work/postgres/$name"
[ -z "$(find "$pg" \( -name bin -o -name obj \) -print)" ] || fail "bin/obj in a solution made with --skip-restore"
check_clean "$pg"
grep -q '"Provider": "Postgres"' "$pg/host/$name.Host/appsettings.json" || fail "--database postgres does not select PostgreSQL"
grep -q 'Database=acme_platform;Username=acme_platform"' "$pg/host/$name.Host/appsettings.json" || fail "PostgreSQL connection string not renamed"
! grep -qi 'password' "$pg/host/$name.Host/appsettings.json" || fail "a password in appsettings.json"
grep -q '"Mode": "open"' "$pg/host/$name.Host/appsettings.json" || fail "--signup open does not open sign-up"
grep -q '"Mode": "invite-only"' "$default/host/$name.Host/appsettings.json" || fail "sign-up is not invite-only by default"
# The option changes configuration and the README only, so the code is the one built and tested above
# (whose tests run on PostgreSQL too); building it again would only spend CI minutes.
differences=$(diff -rq -x bin -x obj -x TestResults -x appsettings.json -x README.md -x "$name.sln" "$default" "$pg" || true)
without_guids() { sed -E 's/\{[0-9A-Fa-f-]{36}\}/{guid}/g' "$1"; } # project GUIDs are new in every generated solution
diff <(without_guids "$default/$name.sln") <(without_guids "$pg/$name.sln") >/dev/null || differences+=" $name.sln"
[ -z "$differences" ] || fail "--database postgres changed more than configuration and the README: $differences"

step "--admin false (the optional part left out)"
new_solution noadmin --admin false --skip-restore
noadmin="$work/noadmin/$name"
check_clean "$noadmin"
[ ! -e "$noadmin/admin" ] || fail "--admin false left admin/"
! grep -rIq --exclude-dir=obj 'Admin\.csproj\|AdminConsole' "$noadmin/$name.sln" "$noadmin/host" || fail "--admin false left admin wiring"
# Every module's code is built here without its console pages; what runs is the host's smoke test (it starts and serves
# with no console) and the architecture rules. The modules' own smoke tests run on the default solution below, whose
# module code differs only by those pages: running them twice spent about two CI minutes proving nothing new.
build_and_test "$noadmin" "Category=Smoke&(FullyQualifiedName~.Host.Tests|FullyQualifiedName~.Architecture.Tests)"
grep -Eq "Passed! .*$name\.Host\.Tests\.dll" "$work/last-test.log" || fail "the host's smoke test did not run without the console"

step "module template: dotnet new modular-module -n Orders --root $name (in the default solution)"
out="$work/module-output.txt"
(cd "$default" && dotnet new modular-module -n Orders --root "$name" --no-update-check --debug:custom-hive "$hive") | tee "$out"
for f in modules/Orders/$name.Orders/Persistence/OrdersDbContext.cs \
  modules/Orders/$name.Orders/UseCases/CreateOrder/CreateOrderHandler.cs \
  modules/Orders/$name.Orders.Contracts/OrderRequests.cs \
  tests/$name.Orders.Tests/OrdersApiTests.cs; do
  [ -f "$default/$f" ] || fail "module template did not create $f"
done
ls "$default/modules/Orders/$name.Orders/Migrations/Postgres/"*_Initial.cs "$default/modules/Orders/$name.Orders/Migrations/Sqlite/"*_Initial.cs >/dev/null
grep -q "$name.Orders.Tests" "$default/$name.sln" || fail "module test project not added to the solution"
grep -q "$name.Orders.csproj" "$default/host/$name.Host/$name.Host.csproj" || fail "host does not reference the module"

# The one manual step, done exactly as printed: paste each line into its list in Modules.cs.
modules_cs=$(sed -n "s|.*list the module in \(host/[^ ]*/Modules.cs\)\. .*|\1|p" "$out")
all_line=$(grep -A1 "In 'All' add the line" "$out" | tail -1)
assemblies_line=$(grep -A1 "(AddModuleMessaging) add" "$out" | tail -1)
[ -n "$modules_cs" ] && [ -n "$all_line" ] && [ -n "$assemblies_line" ] || fail "the module template did not print the Modules.cs lines"
echo "editing $modules_cs:"; echo "$all_line"; echo "$assemblies_line"
awk -v all="$all_line" -v asm="$assemblies_line" '
  $0 == "    ];" && !a { print all; a = 1 }
  $0 == "            ];" && !b { print asm; b = 1 }
  { print }' "$default/$modules_cs" > "$work/Modules.cs" && mv "$work/Modules.cs" "$default/$modules_cs"
grep -qF "$all_line" "$default/$modules_cs" && grep -qF "$assemblies_line" "$default/$modules_cs" || fail "could not edit $modules_cs"

step "build and smoke-test the default solution with the Orders module"
t0=$SECONDS
build_and_test "$default"
new_to_green=$((SECONDS - t0))
grep -Eq "Passed! .*$name\.Orders\.Tests\.dll" "$work/last-test.log" || fail "the module's tests did not run"

step "done"
echo "first build -> green dotnet test (default options and a module): ${new_to_green}s"
echo "template test wall time: $((SECONDS - started))s"
