#!/bin/bash
# kafka-acls.sh stand-in for librdkafka's test suite: --add through `sluice acls create`.
set -e
SLUICE="node $(dirname "$0")/../../../dist/cli/main.js"
args=() bs= add=
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap-server) bs=$2; shift ;;
    --add) add=1 ;;
    --allow-principal|--deny-principal|--operation|--topic|--group) args+=("$1" "$2"); shift ;;
    --allow-host|--deny-host) args+=(--host "$2"); shift ;;
    *) echo "kafka-acls.sh stand-in: unsupported argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$add" ] || { echo "kafka-acls.sh stand-in: only --add" >&2; exit 2; }
exec $SLUICE acls create -b "$bs" "${args[@]}"
