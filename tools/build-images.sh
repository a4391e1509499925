#!/bin/bash
# Build the octavia-aa VM image (Debian 12, both agents; the config drive
# chooses the role) with diskimage-builder.
#   tools/build-images.sh [--if-changed] [OUTPUT_DIR]   (default /work/images)
# --if-changed: keep OUTPUT_DIR's image when it was built from the same
# sources (elements/, the packages the wheel carries, agent-requirements.txt,
# this script, DIB_RELEASE, ROLES): their hash is kept beside it in NAME.key.
# Environment: DIB_VENV (default /opt/dib-venv), IMAGE_NAME (default
# octavia-aa-agent), ROLES (default "amphora distributor": the agents the
# image carries), DIB_RELEASE (default bookworm), and any DIB_* variable.
#
# The agents come from a wheelhouse built here from this checkout, so the
# chroot needs nothing but Debian's archive (no PyPI, no proxy CA, no
# compiler).  On hosts without device-mapper (containers) DIB's kpartx and
# dmsetup calls are served by loop partitions instead (partx), through
# shims bind-mounted in a private mount namespace, so nothing changes
# for the rest of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
IF_CHANGED=${OCTAVIA_AA_IF_CHANGED:-0}
if [ "${1:-}" = "--if-changed" ]; then IF_CHANGED=1; shift; fi
OUT=${1:-/work/images}
NAME=${IMAGE_NAME:-octavia-aa-agent}
ROLES=${ROLES:-amphora distributor}

# What the image is made of: any change of these rebuilds it.
source_key() {
    {
        echo "$DIB_RELEASE $ROLES"
        find elements octavia_aa distributor_agent -type f \
            ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
            | sort -z | xargs -0 sha256sum
        sha256sum agent-requirements.txt setup.cfg setup.py \
            tools/build-images.sh
    } | sha256sum | cut -c1-32
}
DIB_VENV=${DIB_VENV:-/opt/dib-venv}
export DIB_RELEASE=${DIB_RELEASE:-bookworm}
# Keep debootstrap's result in ~/.cache/image-create and start from it
# next time (the image build dist-upgrades it anyway).
export DIB_DEBOOTSTRAP_CACHE=${DIB_DEBOOTSTRAP_CACHE:-1}
export DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE=${DIB_DEBIAN_USE_DEBOOTSTRAP_CACHE:-1}

if [ "${OCTAVIA_AA_IN_NS:-}" != 1 ]; then
    # --- on the host: tools, DIB, wheelhouse ---------------------------
    start=$(date +%s)
    KEY=$(source_key)
    if [ "$IF_CHANGED" = 1 ] && [ -s "$OUT/$NAME.qcow2" ] && \
            [ "$(cat "$OUT/$NAME.key" 2>/dev/null)" = "$KEY" ]; then
        printf '{"bench": "image_build", "image": "%s", "cached": true, "key": "%s"}\n' \
            "$OUT/$NAME.qcow2" "$KEY"
        exit 0
    fi
    DEBS="sudo debootstrap qemu-utils kpartx gdisk squashfs-tools dosfstools"
    missing=""
    for pkg in $DEBS; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | \
            grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "Installing Debian packages:$missing"
        # Another apt (e.g. tools/devcloud/up.sh's) may hold the lock.
        for _ in $(seq 60); do apt-get update -qq && break; sleep 5; done
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            -o DPkg::Lock::Timeout=600 --no-install-recommends $missing \
            >/dev/null
    fi
    if [ ! -x "$DIB_VENV/bin/disk-image-create" ]; then
        python3 -m venv "$DIB_VENV"
        "$DIB_VENV/bin/pip" install -q 'diskimage-builder>=3.43'
    fi
    DIB_VENV=$DIB_VENV tools/dib-lint.sh >/dev/null
    mkdir -p "$OUT"
    WORK=$(mktemp -d /var/tmp/octavia-aa-image.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    WH=$WORK/wheelhouse
    mkdir -p "$WH"
    # Binary wheels for the image's Python (Debian 12: CPython 3.11,
    # glibc 2.36), whatever Python runs this script.
    python3 -m pip download -q -d "$WH" --only-binary=:all: \
        --python-version 3.11 --implementation cp --abi cp311 \
        --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
        --platform any -r agent-requirements.txt
    # A stale build/ would put deleted modules into the wheel.
    rm -rf build
    python3 -m pip wheel -q --no-deps -w "$WH" .
    cp agent-requirements.txt "$WH/"
    echo "wheelhouse: $(ls "$WH" | wc -l) files, $(du -sh "$WH" | cut -f1)"
    export OCTAVIA_AA_IN_NS=1 OCTAVIA_AA_WORK=$WORK OCTAVIA_AA_START=$start \
        OCTAVIA_AA_KEY=$KEY
    # Private mounts: DIB's own mounts and the shims vanish with it.
    unshare --mount --propagation private "$0" "$OUT"
    exit $?
fi

# --- in the private mount namespace ------------------------------------
WORK=$OCTAVIA_AA_WORK
if ! grep -qw device-mapper /proc/misc; then
    SHIM=$WORK/shim
    mkdir -p "$SHIM"
    cat > "$SHIM/kpartx" <<'EOF'
#!/bin/bash
# kpartx without device-mapper: the kernel's loop partitions (partx),
# linked where DIB expects them (/dev/mapper/loopNpM).
set -eu
dev=${!#}
name=$(basename "$dev")
case "$1" in
-d*)
    rm -f /dev/mapper/"$name"p*
    partx -d "$dev" || true ;;
*)
    partx -a "$dev" 2>/dev/null || partx -u "$dev"
    mkdir -p /dev/mapper
    for part in /sys/block/"$name"/"$name"p*; do
        pn=$(basename "$part")
        [ -b /dev/"$pn" ] || mknod /dev/"$pn" b $(tr : ' ' < "$part"/dev)
        ln -sf /dev/"$pn" /dev/mapper/"$pn"
        echo "add map $pn"
    done ;;
esac
EOF
    cat > "$SHIM/dmsetup" <<'EOF'
#!/bin/bash
# dmsetup without device-mapper: "remove NAME" drops the kpartx shim's link.
case "$1" in
remove) rm -f /dev/mapper/"$2" ;;
esac
exit 0
EOF
    chmod +x "$SHIM/kpartx" "$SHIM/dmsetup"
    # Bound over the real tools (sudo resets PATH, so PATH cannot do it).
    mount --bind "$SHIM/kpartx" "$(command -v kpartx)"
    mount --bind "$SHIM/dmsetup" "$(command -v dmsetup)"
fi

export ELEMENTS_PATH=$REPO/elements
export DIB_OCTAVIA_AA_WHEELHOUSE=$WORK/wheelhouse
# Interfaces are set up from the config drive's network_data.json.
export DIB_APT_MINIMAL_CREATE_INTERFACES=0
# No one waits at the boot menu of an appliance.
export DIB_GRUB_TIMEOUT=${DIB_GRUB_TIMEOUT:-0}
export DIB_DEBIAN_SECURITY_MIRROR=${DIB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# Each agent is a role of the same image (see elements/README.md).
role_elements=""
for role in $ROLES; do
    [ -d "$ELEMENTS_PATH/octavia-aa-$role-agent" ] || {
        echo "unknown role $role (amphora, distributor)" >&2; exit 2; }
    role_elements="$role_elements octavia-aa-$role-agent"
done
"$DIB_VENV/bin/disk-image-create" -a amd64 -t qcow2 \
    -o "$WORK/$NAME" \
    debian-minimal vm block-device-mbr $role_elements
# Replaced in one rename: a VM still running on the old image (as its
# backing file) keeps it.
cp "$WORK/$NAME.qcow2" "$OUT/.$NAME.qcow2.tmp"
rm -f "$OUT/$NAME.key"
mv -f "$OUT/.$NAME.qcow2.tmp" "$OUT/$NAME.qcow2"
echo "$OCTAVIA_AA_KEY" > "$OUT/$NAME.key"
rm -rf "$OUT/$NAME.d"
cp -a "$WORK/$NAME.d" "$OUT/$NAME.d"
end=$(date +%s)
printf '{"bench": "image_build", "image": "%s", "roles": "%s", "seconds": %d, "mib": %d}\n' \
    "$OUT/$NAME.qcow2" "$ROLES" "$((end - OCTAVIA_AA_START))" \
    "$(du -m "$OUT/$NAME.qcow2" | cut -f1)"
