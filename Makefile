# Two commands do all the set-up on a fresh Debian 12 machine (as root, for apt-get):
#   make run    serve the connection, the sandbox provider and the demo app on 127.0.0.1:$(PORT)
#   make test   build and run every test; ends with "N passed, N failed"
PORT ?= 8080
export PORT

.PHONY: run test bench build

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

bench:
	bash bench/run.sh

build:
	swift build -c release --product pinterest-connection
