# One entry for users and CI. On a fresh Debian machine every target installs what it
# needs: Debian's docker.io (and starts dockerd when no engine answers), Go for the sample
# server, wrk and hey for load, nftables for the sandbox image's nft (--balance dnat),
# docker-registry and apache2-utils (htpasswd) for the e2e tests' registry on 127.0.0.1,
# openssh (the ssh:// tests start their own sshd on 127.0.0.1), the npm dependencies; then
# builds the CLI and the images. `make test` also runs the end-to-end suite against Podman
# (`make podman`: Debian's podman, its service, the images copied over).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

CACHE := .cache
DOCKERD_LOG := $(CACHE)/dockerd.log
TS_SOURCES := $(shell find src -name '*.ts')
PODMAN_SH := test/podman/podman.sh

.PHONY: build demo test test-unit test-e2e test-e2e-podman podman bench engine tools images clean

build: node_modules dist/pod.js images ## npm deps, the CLI, a running engine, the images

# Debian packages, installed only when one of their commands is missing. Debian starts a
# daemon it installs (sshd, on every address's port 22): a policy-rc.d answering 101 says
# no, as in Docker's images; the ssh tests start their own sshd on 127.0.0.1.
tools:
	@missing=""; \
	command -v dockerd >/dev/null || missing="$$missing docker.io"; \
	command -v go      >/dev/null || missing="$$missing golang-go"; \
	command -v wrk     >/dev/null || missing="$$missing wrk"; \
	command -v hey     >/dev/null || missing="$$missing hey"; \
	command -v curl    >/dev/null || missing="$$missing curl"; \
	[ -x /usr/sbin/nft ]          || missing="$$missing nftables"; \
	command -v docker-registry >/dev/null || missing="$$missing docker-registry"; \
	command -v htpasswd >/dev/null || missing="$$missing apache2-utils"; \
	command -v ssh     >/dev/null || missing="$$missing openssh-client"; \
	[ -x /usr/sbin/sshd ]         || missing="$$missing openssh-server"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  [ "$$(id -u)" = 0 ] || { echo "make: installing$$missing needs root (or install them yourself)" >&2; exit 1; }; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  policy=keep; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy=ours; \
	  fi; \
	  status=0; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || status=$$?; \
	  if [ "$$policy" = ours ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  exit $$status; \
	fi

# A Docker engine that answers: the one running, or Debian's dockerd started in the background.
# A dockerd killed without cleanup leaves /var/run/docker.pid, and the next one refuses to
# start while it names a process (even a zombie); it also leaves its containers' network
# namespaces mounted, with addresses a new daemon may hand out again. With no live dockerd,
# both belong to nobody: drop them.
engine: tools
	@if ! docker info >/dev/null 2>&1; then \
	  mkdir -p $(CACHE); \
	  if ps -eo stat=,comm= | awk '$$2 == "dockerd" && $$1 !~ /^Z/ { live = 1 } END { exit !live }'; then \
	    echo "dockerd is starting: waiting for it"; \
	  else \
	    rm -f /var/run/docker.pid; \
	    for ns in /var/run/docker/netns/*; do umount "$$ns" 2>/dev/null || true; rm -f "$$ns"; done; \
	    echo "no Docker engine answers: starting dockerd (log: $(DOCKERD_LOG))"; \
	    nohup dockerd >$(DOCKERD_LOG) 2>&1 & \
	  fi; \
	  for i in $$(seq 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done; \
	  docker info >/dev/null 2>&1 || { echo "make: dockerd did not come up; see $(DOCKERD_LOG)" >&2; tail -20 $(DOCKERD_LOG) >&2; exit 1; }; \
	fi

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules

# Type-checked by tsc, bundled by esbuild (scripts/bundle.mjs): one file loads faster than a
# tree of modules (pod ps must start within twice `node -e 0`); rarely used parts (ora,
# compose, exports, dockerode, tar) are chunks loaded when needed, and the parts of
# dockerode pod never runs (BuildKit's gRPC, ssh2) are left out.
dist/pod.js: node_modules tsconfig.json scripts/bundle.mjs $(TS_SOURCES)
	npx tsc -p tsconfig.json --noEmit
	rm -rf dist
	node scripts/bundle.mjs
	@touch dist/pod.js

images: engine
	@$(MAKE) --no-print-directory -C fixtures images

# Podman beside Docker, for the e2e suite on both engines (not part of `make build`): Debian's
# podman with netavark and aardvark-dns (names on user networks), its Docker-compatible service
# started in a network namespace of its own, and the fixture images copied from Docker.
# test/podman/podman.sh says why each setting.
podman: images
	@missing=""; \
	command -v podman   >/dev/null || missing="$$missing podman"; \
	[ -x /usr/lib/podman/netavark ]     || missing="$$missing netavark"; \
	[ -x /usr/lib/podman/aardvark-dns ] || missing="$$missing aardvark-dns"; \
	command -v iptables >/dev/null || missing="$$missing iptables"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  [ "$$(id -u)" = 0 ] || { echo "make: installing$$missing needs root (or install them yourself)" >&2; exit 1; }; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@$(PODMAN_SH) start
	@$(MAKE) --no-print-directory -C fixtures podman PODMAN_SH=$(CURDIR)/$(PODMAN_SH)

demo: build
	@./bin/pod up --replicas 3 -p 80:8080 http_server
	@echo; echo "300 requests to http://127.0.0.1:80/, counted per replica:"
	@for i in $$(seq 300); do curl -s http://127.0.0.1:80/; done | sort | uniq -c
	@echo; echo "Next:"; \
	echo "  ./bin/pod ps                      # the pod, its replicas and port"; \
	echo "  ./bin/pod scale http_server 5     # converge to five replicas"; \
	echo "  ./bin/pod logs http_server -f     # every replica's lines, merged"; \
	echo "  docker kill http_server-sandbox; ./bin/pod agent logs   # the agent heals it"; \
	echo "  ./bin/pod down http_server        # remove it"

test: build podman
	npx vitest run --config test/vitest.config.ts
	$(PODMAN_SH) run npx vitest run --config test/vitest.config.ts --project e2e

test-unit: node_modules
	npx vitest run --config test/vitest.config.ts --project unit

test-e2e: build
	npx vitest run --config test/vitest.config.ts --project e2e

# The same suite against Podman: in its network namespace, with POD_TEST_ENGINE=podman.
test-e2e-podman: build podman
	$(PODMAN_SH) run npx vitest run --config test/vitest.config.ts --project e2e

bench: build podman
	@bash test/bench/bench.sh
	@bash test/bench/zero-downtime.sh
	@$(PODMAN_SH) run env BENCH_ENGINE=Podman bash test/bench/zero-downtime.sh
	@bash test/bench/startup.sh
	@bash test/bench/throughput.sh
	@bash test/bench/compose-size.sh
	@bash test/bench/up-100.sh
	@bash test/bench/pull.sh
	@bash test/bench/health.sh
	@BENCH_ENGINE_RESTART=1 bash test/bench/engine-restart.sh
	@node test/bench/agent.mjs

clean:
	rm -rf dist $(CACHE)
	@$(MAKE) --no-print-directory -C fixtures clean
