#!/bin/bash
# Build a tiny bootable disk image (~15 MB) from Debian packages only: the
# host's Debian kernel, a busybox initramfs and syslinux on a whole-disk FAT
# file system (no partitions, no loop device, no mount: mtools writes it).
# The guest brings up its NICs with DHCP, reads Nova's config drive, prints
# what it found on the serial console (Nova's console log) and serves its
# instance uuid over HTTP on port 80, so the host can check it end to end.
#   tools/devcloud/make-test-image.sh OUT.raw
set -euo pipefail
out=${1:?usage: make-test-image.sh OUT.raw}
kver=$(ls /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
[ -n "$kver" ] || { echo "no Debian kernel in /boot (linux-image-amd64)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,mnt/cfg,www,lib/modules,usr/share/udhcpc}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
# Modules for virtio disk/NIC and the config drive (an IDE cdrom, iso9660),
# in dependency order as modprobe resolves them on the host.
: > "$root/lib/modules/order"
for m in virtio_pci virtio_net virtio_blk ata_piix sr_mod isofs; do
    modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
    cp "$ko" "$root/lib/modules/"
    basename "$ko" >> "$root/lib/modules/order"
done

cat > "$root/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
# udhcpc hook: set the leased address; a default route only via eth0.
case $1 in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ] && [ "$interface" = eth0 ]; then
        ip route replace default via "${router%% *}" dev "$interface"
    fi
    echo "devcloud-vm: $interface $ip/${mask:-24}" > /dev/console
    ;;
esac
EOF
chmod 755 "$root/usr/share/udhcpc/default.script"

cat > "$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "devcloud-vm: init started, kernel $(uname -r)"
for ko in $(cat /lib/modules/order); do insmod /lib/modules/$ko 2>/dev/null; done
sleep 1
ip link set lo up
for nic in $(ls /sys/class/net | grep -v lo); do
    ip link set "$nic" up
    udhcpc -i "$nic" -n -q -t 10 -T 2 -s /usr/share/udhcpc/default.script \
        || echo "devcloud-vm: no lease on $nic"
done
uuid=unknown
for dev in /dev/sr0 /dev/sr1 /dev/vdb; do
    [ -b "$dev" ] || continue
    if mount -t iso9660 -o ro "$dev" /mnt/cfg 2>/dev/null; then
        md=/mnt/cfg/openstack/latest/meta_data.json
        if [ -f "$md" ]; then
            uuid=$(sed -n 's/.*"uuid": *"\([^"]*\)".*/\1/p' "$md")
            echo "devcloud-vm: config drive on $dev, label $(cat /sys/class/block/${dev#/dev/}/device/model 2>/dev/null) uuid $uuid"
        fi
        break
    fi
done
[ "$uuid" = unknown ] && echo "devcloud-vm: no config drive found"
echo "$uuid" > /www/index.html
httpd -p 80 -h /www
ip -4 -o addr show | sed 's/^/devcloud-vm: addr /'
echo "devcloud-vm: boot complete"
exec sh -c 'while :; do sleep 3600; done'
EOF
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$work/initrd.gz"

cat > "$work/syslinux.cfg" <<'EOF'
DEFAULT devcloud
TIMEOUT 1
PROMPT 0
LABEL devcloud
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=tty0 console=ttyS0,115200 quiet loglevel=3 panic=10
EOF
size_mb=$(( ( $(stat -c %s "/boot/vmlinuz-$kver") + $(stat -c %s "$work/initrd.gz") ) / 1048576 + 6 ))
rm -f "$out"
truncate -s "${size_mb}M" "$out"
mkfs.vfat -n DEVCLOUD "$out" >/dev/null
syslinux --install "$out"
mcopy -i "$out" "/boot/vmlinuz-$kver" ::vmlinuz
mcopy -i "$out" "$work/initrd.gz" ::initrd.gz
mcopy -i "$out" "$work/syslinux.cfg" ::syslinux.cfg
echo "built $out ($size_mb MB, kernel $kver)"
