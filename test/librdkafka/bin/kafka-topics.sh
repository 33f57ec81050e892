#!/bin/bash
# kafka-topics.sh stand-in for librdkafka's test suite: the subset it calls, through `sluice topics`.
set -e
SLUICE="node $(dirname "$0")/../../../dist/cli/main.js"
op= topic= parts= rf= configs=() bs=
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap-server) bs=$2; shift ;;
    --create|--alter|--delete) op=${1#--} ;;
    --topic) topic=$2; shift ;;
    --partitions) parts=$2; shift ;;
    --replication-factor) rf=$2; shift ;;
    --config) configs+=(--config "$2"); shift ;;
    *) echo "kafka-topics.sh stand-in: unsupported argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$op" in
  create) exec $SLUICE topics create "$topic" -b "$bs" ${parts:+--partitions $parts} ${rf:+--replication-factor $rf} "${configs[@]}" ;;
  alter) exec $SLUICE topics add-partitions "$topic" -b "$bs" --partitions "$parts" ;;
  delete) exec $SLUICE topics delete "$topic" -b "$bs" ;;
esac
echo "kafka-topics.sh stand-in: no --create, --alter or --delete" >&2; exit 2
