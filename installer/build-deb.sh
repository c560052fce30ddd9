#!/usr/bin/env bash
# A Debian package of a built bundle (called by build-bundle.sh):
#   installer/build-deb.sh station|server BUNDLE_DIR MANIFEST VERSION OUT
# Installs /opt/prep-abierto/prep-PROGRAM/ (the bundle, as built), the release manifest
# beside it, /usr/bin/prep-PROGRAM; Depends: the system libraries the bundle links to and
# does not carry (found with ldd, named with dpkg -S), SANE for the station.
set -euo pipefail
PROGRAM=$1 B=$(realpath "$2") MANIFEST=$3 VERSION=$4 OUT=$5
PKG="prep-abierto-$PROGRAM"
STAGE="$OUT/deb-$PROGRAM"
rm -rf "$STAGE" && mkdir -p "$STAGE/DEBIAN" "$STAGE/opt/prep-abierto" "$STAGE/usr/bin"
cp -a "$B" "$STAGE/opt/prep-abierto/"
cp "$MANIFEST" "$STAGE/opt/prep-abierto/"
ln -s "/opt/prep-abierto/prep-$PROGRAM/prep-$PROGRAM" "$STAGE/usr/bin/prep-$PROGRAM"

# system libraries the bundle needs and does not carry
libdirs=$(find "$B" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
system_libs=$(find "$B" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | LD_LIBRARY_PATH="$libdirs" xargs -0 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$B" | sort -u)
depends=$(for lib in $system_libs; do
    dpkg -S "$lib" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null || true
  done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
if [ "$PROGRAM" = station ]; then
  case ", $depends," in *", libsane1,"*) ;; *) depends="$depends, libsane1" ;; esac
  extra="Recommends: sane-utils
Suggests: sane-airscan, libsane-hpaio"
  mkdir -p "$STAGE/usr/share/applications"
  cat > "$STAGE/usr/share/applications/prep-station.desktop" <<'DESK'
[Desktop Entry]
Type=Application
Name=PREP Abierto — estación de captura
Exec=sh -c 'cd "$HOME" && exec prep-station'
Terminal=false
Categories=Office;
DESK
else
  extra=""
fi
cat > "$STAGE/DEBIAN/control" <<CTRL
Package: $PKG
Version: $VERSION
Architecture: amd64
Maintainer: PREP Abierto <prep-abierto@localhost>
Section: misc
Priority: optional
Depends: ${depends#, }
${extra:+$extra
}Description: PREP Abierto: $PROGRAM bundle (Python and libraries included)
 Self-contained build of prep-$PROGRAM; \`prep integrity --check\` against the
 release manifest in /opt/prep-abierto names every file that differs.
CTRL
find "$STAGE" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$OUT/${PKG}_${VERSION}_amd64.deb" >/dev/null
echo "package $OUT/${PKG}_${VERSION}_amd64.deb ($(du -h "$OUT/${PKG}_${VERSION}_amd64.deb" | cut -f1)); Depends: ${depends#, }"
