#!/bin/sh
# The official image's entrypoint contract, rewritten for Debian (setpriv instead of gosu):
# started as root, make /data/packages writable for pypiserver and drop to that user; with no
# arguments run `pypi-server run -p $PYPISERVER_PORT`, otherwise pass the arguments unchanged
# (so they must start with `run`).
set -eu

as_pypiserver() {
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=9898 --regid=9898 --clear-groups "$@"
  fi
  exec "$@"
}

if [ "$(id -u)" = 0 ] && ! setpriv --reuid=9898 --regid=9898 --clear-groups test -w /data/packages; then
  if ! chown -R pypiserver:pypiserver /data/packages; then
    echo "/data/packages is not writable by pypiserver (uid 9898) and cannot be chowned" >&2
    exit 1
  fi
fi

if [ "$#" -eq 0 ]; then
  as_pypiserver pypi-server run -p "${PYPISERVER_PORT:-8080}"
fi
as_pypiserver pypi-server "$@"
