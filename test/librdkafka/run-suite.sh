#!/bin/bash
# Runs librdkafka's own regression tests (its tests/0nnn-*.c, "against an existing cluster") on a
# Sluice started from this checkout's dist/. Not part of `npm test`: it needs librdkafka's source.
#   usage: test/librdkafka/run-suite.sh LIBRDKAFKA_SRC TESTS [test-runner options...]
#   e.g.   test/librdkafka/run-suite.sh /tmp/librdkafka-2.0.2 0081 -s noautocreate
# LIBRDKAFKA_SRC is built (./configure && make libs && make -C tests test-runner). TESTS is
# librdkafka's list of test numbers ("0001,0012"). The broker has what librdkafka's trivup clusters
# have: auto-created topics with 4 partitions and an authorizer that lets everyone in unless an ACL
# says otherwise (the -s noautocreate scenario turns auto-creation off). bin/ stands in for Kafka's
# kafka-topics.sh and kafka-acls.sh (KAFKA_PATH), which a few tests call.
set -euo pipefail
src=${1:?librdkafka source directory}; tests=${2:?test numbers}; shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sluice-rdkafka-XXXXXX)
autocreate=true
[[ " $* " == *" -s noautocreate "* ]] && autocreate=false
node "$here/../../dist/cli/main.js" start --data-dir "$work/data" --port 0 --http-port=-1 \
  --set auto.create.topics.enable=$autocreate --set num.partitions=4 \
  --set authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer \
  --set allow.everyone.if.no.acl.found=true > "$work/broker.log" 2>&1 &
broker=$!
trap 'kill $broker; wait $broker || true; rm -rf "$work/data"; echo "broker log: $work/broker.log"' EXIT
port=
for _ in $(seq 1 120); do
  port=$(sed -n 's/.*Kafka on [^:]*:\([0-9]*\).*/\1/p' "$work/broker.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.5
done
[ -n "$port" ] || { cat "$work/broker.log"; exit 1; }
printf 'metadata.broker.list=127.0.0.1:%s\ntest.timeout.multiplier=2\n' "$port" > "$work/test.conf"
cd "$src/tests"
# TEST_KAFKA_VERSION: the Kafka whose behaviour Sluice matches; it gates which tests run.
RDKAFKA_TEST_CONF="$work/test.conf" TESTS="$tests" TEST_KAFKA_VERSION=3.9.0 \
  BROKERS="127.0.0.1:$port" KAFKA_PATH="$here" LD_LIBRARY_PATH=../src:../src-cpp \
  ./test-runner -L -p1 "$@"
