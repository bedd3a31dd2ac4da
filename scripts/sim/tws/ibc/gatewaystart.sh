#!/bin/bash
# gatewaystart.sh of the simulated IBC. The real script holds its settings as variables edited
# in place; here each takes the environment's value first, so tests need not edit the file.
# Like the real one it refuses to start while a gateway for the same config.ini runs, and
# without -inline it would open an xterm and return at once (here: it says so and returns).

TWS_MAJOR_VRSN=${TWS_MAJOR_VRSN:-1019}
IBC_INI=${IBC_INI:-~/ibc/config.ini}
TRADING_MODE=${TRADING_MODE:-}
TWOFA_TIMEOUT_ACTION=${TWOFA_TIMEOUT_ACTION:-exit}
IBC_PATH=${IBC_PATH:-$(cd "$(dirname "$0")" && pwd)}
TWS_PATH=${TWS_PATH:-~/Jts}
TWS_SETTINGS_PATH=${TWS_SETTINGS_PATH:-}
TWSUSERID=${TWSUSERID:-}
TWSPASSWORD=${TWSPASSWORD:-}
JAVA_PATH=${JAVA_PATH:-}

if [[ ! -x "${IBC_PATH}/scripts/ibcstart.sh" ]]; then
	>&2 echo -e "Error: no execute permission for scripts in ${IBC_PATH}/scripts"
	exit 1
fi
if [[ -n $(pgrep -f "ibcalpha.ibc.IbcGateway ${IBC_INI}") ]]; then
	>&2 echo -e "Error: process is already running"
	exit 1
fi

if [[ "$1" == "-inline" ]]; then
	exec "${IBC_PATH}/scripts/ibcstart.sh" "${TWS_MAJOR_VRSN}" -g \
		"--tws-path=${TWS_PATH}" "--tws-settings-path=${TWS_SETTINGS_PATH}" \
		"--ibc-path=${IBC_PATH}" "--ibc-ini=${IBC_INI}" \
		"--user=${TWSUSERID}" "--pw=${TWSPASSWORD}" \
		"--java-path=${JAVA_PATH}" "--mode=${TRADING_MODE}" "--on2fatimeout=${TWOFA_TIMEOUT_ACTION}"
fi
echo "gatewaystart.sh: without -inline IBC runs in an xterm in the background and this script returns at once"
