# Progress lines for tools/install.sh (sourced): what a long install is
# doing, instead of minutes of silence.

INSTALL_START=${INSTALL_START:-$SECONDS}

# step "what": one line with the time since the install started.
step() {
    printf '[install %3ds] %s\n' $((SECONDS - INSTALL_START)) "$*"
}

# pip's output on stdin -> one short line per package it fetches, then
# the install; the rest (pip's notices) is dropped.  Errors are on
# stderr, which is not filtered.
pip_progress() {
    local n=0 line
    while IFS= read -r line; do
        case "$line" in
            Collecting\ *)
                n=$((n + 1))
                printf '  [%d] %s\n' "$n" "${line#Collecting }" ;;
            Installing\ collected\ packages:*)
                step "installing the $n packages fetched" ;;
            Successfully\ installed*)
                step "done" ;;
        esac
    done
}
