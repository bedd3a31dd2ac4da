#!/bin/sh
# with-xvfb.sh XVFB COMMAND [ARG...]
#
# IB Gateway is a Java GUI program and IBC works it through its windows, so it needs a display.
# This starts Xvfb on a display it picks itself (-displayfd writes the number once it accepts
# clients), exports DISPLAY and execs COMMAND. Xvfb stays in this process group: the
# supervisor's group TERM/KILL, and the lifeline when the daemon dies, reach it together with
# the gateway — no orphaned X server.
xvfb=$1
shift

display_file=$(mktemp "${TMPDIR:-/tmp}/ibgw-xvfb.XXXXXX") || exit 1
# fd 3 is free here: the lifeline closes it before exec'ing this script.
"$xvfb" -displayfd 3 -nolisten tcp -screen 0 1280x1024x24 3>"$display_file" </dev/null >/dev/null 2>&1 &
xvfb_pid=$!

tries=0
while [ ! -s "$display_file" ]; do
	if ! kill -0 "$xvfb_pid" 2>/dev/null; then
		echo "with-xvfb: $xvfb exited before its display was ready" >&2
		rm -f "$display_file"
		exit 1
	fi
	tries=$((tries + 1))
	if [ "$tries" -gt 300 ]; then
		echo "with-xvfb: $xvfb gave no display within 15 s" >&2
		kill "$xvfb_pid" 2>/dev/null
		rm -f "$display_file"
		exit 1
	fi
	sleep 0.05
done
DISPLAY=":$(tr -d '[:space:]' < "$display_file")"
rm -f "$display_file"
export DISPLAY
echo "with-xvfb: Xvfb (pid $xvfb_pid) serves display $DISPLAY"
exec "$@"
