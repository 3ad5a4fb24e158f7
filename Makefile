# The only entry points: install, run, test, check, lint, bench. Each sets up what it needs by itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: espeak-ng (speech), PulseAudio + ALSA pulse plugin + PortAudio (audio path
# and the private test sound server), sox (test audio mixing), flite (more test voices), faketime
# (the wall-clock jump tests), e2fsprogs (mkfs.ext4: the read-only disk test).
DEB_PACKAGES := espeak-ng libespeak-ng1 libportaudio2 libasound2-plugins pulseaudio pulseaudio-utils libspeexdsp1 alsa-utils sox flite faketime e2fsprogs
STAMP := $(VENV)/.installed

.PHONY: install system-deps run test test-under-load check lint bench clean

install: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "voice-repair needs these Debian packages. Install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    echo "then run make again."; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev,piper]'
	@touch $(STAMP)

run: install
	$(BIN)/voice-repair run $(ARGS)

# Everything, as CI runs it: the tests that share nothing in two workers, and beside them the
# real-audio and service tests in AUDIO_WORKERS workers, each with a private PulseAudio server of
# its own (the service tests, which share one installed service, all in one worker, in file order:
# xdist_group, tests/xdistgroup.py). Tests are handed out one at a time (--dist loadgroup), longest
# files first (tests/conftest.py's LONGEST_FIRST): with pytest-xdist's default chunks, a
# minute-long test handed out last kept one worker busy while the other sat idle.
# OVERLAP=1 runs the two phases at the same time (the default, 0: one after the other): the audio
# phase mostly waits for sound in real time (measured at a load average of 17-20: 633 s of CPU
# in 19 min for its two workers, under 0.3 of a core each), the first phase is CPU-bound; one
# after the other, the CPU idled through much of the audio phase. The audio phase's timing
# budgets come from what it measures (tests/timing.py), so the first phase beside it makes it
# slower, not red. The eighth session's merge clone had two timing tests red side by side that
# pass alone: test_restart's restarted round (a restart slower than twice the probe's start-up;
# it now says when it is up and tries again with a longer minute) and the service's sound-server
# restart (not reproduced; its assertion now prints the service's log). Not yet the default: at
# the tenth merge a fresh clone side by side was red once (a test fault, fixed) and then green
# in 11:00, one green run, not yet a series. PHASE1_NICE=10 runs the first phase at a lower
# priority, so that the audio phase gets a CPU whenever it wants one, as it did alone; not the
# default, because on a machine busy with other work the first phase then got almost nothing (2%
# of a core per worker at a load average of 22, 2026-12-07). The audio phase's output is kept and printed after the first
# phase's, so the two do not interleave. The exit status is the first phase's failure, else the
# audio phase's. An interrupt (Ctrl-C, TERM) stops both: the audio phase, in a session of its own
# (setsid), is sent SIGINT as a group, so its fixtures still stop their sound servers.
AUDIO_WORKERS ?= 2
OVERLAP ?= 0
PHASE1_NICE ?= 0
PHASE1 = $(BIN)/python -m pytest -n 2 --dist loadgroup -m "not audio and not service" $(PYTEST_ARGS)
PHASE2 = $(BIN)/python -m pytest -n $(AUDIO_WORKERS) --dist loadgroup -m "audio or service" $(PYTEST_ARGS)
test: install
	@status=0; \
	if [ "$(OVERLAP)" = 0 ]; then \
	  $(PHASE1) || status=$$?; $(PHASE2) || status=$$?; exit $$status; \
	fi; \
	log=$$(mktemp -t vr-audio-phase.XXXXXX); \
	setsid $(PHASE2) >"$$log" 2>&1 & audio=$$!; \
	trap 'kill -INT -- -$$audio 2>/dev/null; wait $$audio; cat "$$log"; rm -f "$$log"; exit 130' INT TERM; \
	echo "make test: the audio and service tests run beside these (pid $$audio); their output follows"; \
	nice -n $(PHASE1_NICE) $(PHASE1) || status=$$?; \
	wait $$audio || { audio_status=$$?; [ $$status -ne 0 ] || status=$$audio_status; }; \
	echo "======== the audio and service tests, run beside the others ========"; \
	cat "$$log"; rm -f "$$log"; exit $$status

# `make test` while a plain busy loop keeps one core busy: a busy machine must make the suite
# slower, never red (tests take their timing budgets from what they measure: tests/timing.py).
# The burner is this target's own child, killed on the way out whether the tests pass, fail or
# are interrupted.
test-under-load: install
	@bash -c 'while :; do :; done' & burner=$$!; \
	trap 'kill $$burner 2>/dev/null' EXIT INT TERM; \
	echo "test-under-load: busy loop (pid $$burner) keeps one core busy"; \
	status=0; $(MAKE) --no-print-directory test || status=$$?; \
	kill $$burner 2>/dev/null; exit $$status

# The edit-test loop: lint, then the tests that need no audio server, no recognizer model and
# no service manager, and take at most a few seconds each; two workers (most of their time is
# waiting for sped-up timers), under a minute in all.
check: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup \
	  -m "not audio and not slow and not service and not model" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check voice_repair tests bench
	$(BIN)/ruff format --check voice_repair tests bench

bench: install
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
