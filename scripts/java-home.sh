#!/usr/bin/env bash
# Prints the home of a JDK >= 25 for Minnow: $JAVA_HOME if it is one, else the newest JDK >= 25 under
# /usr/lib/jvm (or $MINNOW_JVM_DIR). Exits 1 with a message naming what it found when there is none.
minnow_java_major() { # JAVA_HOME -> major version or empty
  local rel="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$rel" ]; then v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"); fi
  if [ -z "$v" ]; then v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); fi
  echo "$v"
}
minnow_java_home() {
  local found="" best="" bestv=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(minnow_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
    found="JAVA_HOME=$JAVA_HOME (version ${v:-unknown})"
  fi
  for d in "${MINNOW_JVM_DIR:-/usr/lib/jvm}"/* /opt/java/* /opt/jdk*; do
    [ -d "$d" ] || continue
    v=$(minnow_java_major "$d")
    [ -n "$v" ] || continue
    found="$found${found:+, }$d ($v)"
    if [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "minnow: needs a JDK >= 25; found: ${found:-no JDK under ${MINNOW_JVM_DIR:-/usr/lib/jvm}}. Install one (e.g. Temurin 25) or set JAVA_HOME." >&2
  return 1
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then minnow_java_home; fi
