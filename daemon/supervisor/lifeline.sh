#!/bin/sh
# lifeline.sh GRACE_SECONDS COMMAND [ARG...]
#
# Runs COMMAND so that it cannot outlive the daemon, even when the daemon is killed with
# SIGKILL and has no chance to clean up. The daemon starts this script as the leader of a new
# process group, with fd 3 connected to a pipe whose other end only the daemon holds and never
# writes to. When the daemon dies, the kernel closes its end and fd 3 reads EOF.
#
# A background watcher (a subshell, so it stays in the group) blocks on fd 3. The main shell
# then execs COMMAND in place: the daemon's child pid IS the gateway, so its exit code and
# signal reach the daemon unchanged, and the group id stays the gateway's pid.
#
# lifeline.sh --standby
#
# The same, parked (see standby.ts): started ahead of the next start, with no command, no
# marker and '/' as its directory, it waits on stdin for what the start brings, one value per
# line: the grace, the directory, a count of NAME=value environment entries and the entries,
# a count of arguments and the arguments. EOF before that (the daemon gone, or the standby
# discarded) ends it without starting anything.
if [ "${1-}" = --standby ]; then
  IFS= read -r grace && IFS= read -r dir && IFS= read -r n || exit 0
  while [ "$n" -gt 0 ]; do
    IFS= read -r entry || exit 0
    export "$entry"
    n=$((n - 1))
  done
  IFS= read -r n || exit 0
  set --
  while [ "$n" -gt 0 ]; do
    IFS= read -r arg || exit 0
    set -- "$@" "$arg"
    n=$((n - 1))
  done
  cd -- "$dir" || exit 126
  # From here on stdin is what a spawned gateway gets: nothing.
  exec </dev/null
else
  grace=$1
  shift
fi

(
  # Until EOF the watcher keeps the default SIGTERM action, so the daemon's ordinary
  # `kill -TERM -<pgid>` stops it together with the gateway: it never outlives a normal stop.
  # (It cannot rely on SIGINT: sh starts background jobs with SIGINT and SIGQUIT ignored, and
  # that cannot be undone from inside. The daemon therefore only ever uses TERM and KILL.)
  while read -r _ <&3; do :; done

  # EOF: the daemon is gone (or let go of the gateway). From here the watcher must survive its
  # own group TERM long enough to deliver the KILL to members that ignore TERM; the final KILL
  # takes the watcher down too, so it never lingers past the grace.
  trap '' TERM
  kill -s TERM -- "-$$" 2>/dev/null
  # A stopped member acts on its TERM only once it runs again.
  kill -s CONT -- "-$$" 2>/dev/null
  sleep "$grace"
  kill -s KILL -- "-$$" 2>/dev/null
) </dev/null >/dev/null 2>&1 &

# The gateway and everything it starts must not hold the lifeline: only the watcher reads it.
exec "$@" 3<&-
