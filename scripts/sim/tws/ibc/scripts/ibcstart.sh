#!/bin/bash
# ibcstart.sh of the simulated IBC: the real script's arguments, checks, exit codes and restart
# loop (IBC 3.x resources/scripts/ibcstart.sh), starting the simulated IB Gateway
# (ibgw-sim-tws) where the real one starts java. Like the real one it does not exec: the
# "JVM" is its child, TERM and INT are forwarded to it, and the script decides afterwards
# whether to start it again (an autorestart file, a COLDRESTART flag, a second-factor timeout
# with --on2fatimeout=restart).
#
#   ibcstart.sh twsVersion [-g|--gateway] [--tws-path=…] [--tws-settings-path=…] [--ibc-path=…]
#               [--ibc-ini=…] [--java-path=…] [--user=…] [--pw=…] [--fix-user=…] [--fix-pw=…]
#               [--mode=live|paper] [--on2fatimeout=restart|exit]
#
# Which node runs the simulator: $IBGW_SIM_NODE (default node on PATH); which script:
# $IBGW_SIM_TWS_MAIN (default ../../main.js from this folder).

E_NO_JAVA=1
E_NO_TWS_VERSION=2
E_INVALID_ARG=3
E_TWS_VERSION_NOT_INSTALLED=4
E_IBC_PATH_NOT_EXIST=5
E_IBC_INI_NOT_EXIST=6
E_TWS_VMOPTIONS_NOT_FOUND=7
# IBC halts with 1111 after a second-factor timeout and 1112 when no login dialog appeared.
E_2FA_DIALOG_TIMED_OUT=$((1111 % 256))
E_LOGIN_DIALOG_DISPLAY_TIMEOUT=$((1112 % 256))

error_exit() {
	>&2 echo
	>&2 echo "=========================== An error has occurred ============================="
	>&2 echo
	>&2 echo -e "Error: $2"
	[[ -n "$3" ]] && >&2 echo -e "       $3"
	exit "$1"
}

if [[ "$1" = "" || "$1" = "-?" || "$1" = "-h" || "$1" = "--HELP" ]]; then
	echo "Runs IBC, thus loading TWS or the IB Gateway (simulated)"
	exit 0
fi

shopt -s nocasematch extglob
script_dir=$(cd "$(dirname "$0")" && pwd)
program=TWS
echo "Parsing arguments"
for arg; do
	case "$arg" in
		-g|--gateway) program=Gateway ;;
		--tws-path=*) tws_path=${arg#*=} ;;
		--tws-settings-path=*) tws_settings_path=${arg#*=}; tws_settings_path=${tws_settings_path%%+(/)} ;;
		--ibc-path=*) ibc_path=${arg#*=} ;;
		--ibc-ini=*) ibc_ini=${arg#*=} ;;
		--java-path=*) java_path=${arg#*=} ;;
		--user=*) ib_user_id=${arg#*=} ;;
		--pw=*) ib_password=${arg#*=} ;;
		--fix-user=*) fix_user_id=${arg#*=} ;;
		--fix-pw=*) fix_password=${arg#*=} ;;
		--mode=*) mode=${arg#*=} ;;
		--on2fatimeout=*) twofa_to_action=${arg#*=} ;;
		-*) error_exit $E_INVALID_ARG "Invalid parameter '${arg}'" ;;
		*) if [[ -z "$tws_version" ]]; then tws_version=$arg; else error_exit $E_INVALID_ARG "Invalid parameter '${arg}'"; fi ;;
	esac
done

mode_upper=$(echo "${mode}" | tr '[:lower:]' '[:upper:]')
if [[ -n "${mode_upper}" && "${mode_upper}" != "LIVE" && "${mode_upper}" != "PAPER" ]]; then
	error_exit $E_INVALID_ARG "Trading mode set to ${mode} but must be either 'live' or 'paper' (case-insensitive)"
fi
twofa_to_action_upper=$(echo "${twofa_to_action}" | tr '[:lower:]' '[:upper:]')
if [[ -n "${twofa_to_action_upper}" && "${twofa_to_action_upper}" != "RESTART" && "${twofa_to_action_upper}" != "EXIT" ]]; then
	error_exit $E_INVALID_ARG "2FA timeout action set to ${twofa_to_action} but must be either 'restart' or 'exit' (case-insensitive)"
fi

echo "Starting IBC (simulated) on $(date +%Y-%m-%d) at $(date +%T)"
echo "TWS version = ${tws_version}"
echo "Program = ${program}"
echo "--tws-path = ${tws_path}"
echo "--tws-settings-path = ${tws_settings_path}"
echo "--ibc-path = ${ibc_path}"
echo "--ibc-ini = ${ibc_ini}"
echo "--mode = ${mode}"
if [[ -n "${ib_user_id}${ib_password}" ]]; then echo "--user = ***"; echo "--pw = ***"; else echo "--user ="; echo "--pw ="; fi

[[ -z "$tws_version" ]] && error_exit $E_NO_TWS_VERSION "TWS major version number has not been supplied"
[[ -z "$tws_path" ]] && tws_path=~/Jts
[[ -z "$tws_settings_path" ]] && tws_settings_path="${tws_path}"
[[ -z "$ibc_path" ]] && ibc_path=/opt/ibc
[[ -z "$ibc_ini" ]] && ibc_ini=~/ibc/config.ini

if [[ "$program" = "Gateway" ]]; then
	program_path="${tws_path}/ibgateway/${tws_version}"; vmoptions="${program_path}/ibgateway.vmoptions"
else
	program_path="${tws_path}/${tws_version}"; vmoptions="${program_path}/tws.vmoptions"
fi
[[ -e "$tws_settings_path" ]] || error_exit $E_IBC_PATH_NOT_EXIST "TWS settings path: $tws_settings_path does not exist"
[[ -e "${program_path}/jars" ]] || error_exit $E_TWS_VERSION_NOT_INSTALLED "Offline TWS/Gateway version $tws_version is not installed: can't find jars folder"
[[ -e "$ibc_path" ]] || error_exit $E_IBC_PATH_NOT_EXIST "IBC path: $ibc_path does not exist"
[[ -e "$ibc_ini" ]] || error_exit $E_IBC_INI_NOT_EXIST "IBC configuration file: $ibc_ini  does not exist"
[[ -e "$vmoptions" ]] || error_exit $E_TWS_VMOPTIONS_NOT_FOUND "Neither tws.vmoptions nor ibgateway.vmoptions could be found"
if [[ -n "$java_path" && ! -e "$java_path/java" ]]; then
	error_exit $E_NO_JAVA "Java installaton at $java_path/java does not exist"
fi

node=${IBGW_SIM_NODE:-node}
main=${IBGW_SIM_TWS_MAIN:-$script_dir/../../main.js}
ibc_session_id=$(mktemp -u XXXXXXXX)

# An autorestart file one level below the settings folder means the gateway restarted itself:
# start it again with -Drestart=<that folder> and it needs no credentials.
find_auto_restart() {
	autorestart_option=
	restart_needed=
	local found
	found=$(find "$tws_settings_path" -mindepth 2 -maxdepth 2 -type f -name autorestart 2>/dev/null)
	if [[ -z "$found" ]]; then
		echo "autorestart file not found: full authentication will be required"
	elif [[ $(echo "$found" | wc -l) -gt 1 ]]; then
		echo "WARNING: More than one autorestart file was found: all deleted, full authentication will be required"
		echo "$found" | xargs rm -f
		restart_needed=yes
	else
		echo "autorestart file found at $found: authentication will not be required"
		autorestart_option="-Drestart=$(basename "$(dirname "$found")")"
		restart_needed=yes
	fi
}
find_auto_restart

credentials=()
[[ -n "${ib_user_id}${ib_password}" ]] && credentials=("$ib_user_id" "$ib_password")
cd "$tws_settings_path" || exit 1

while :; do
	echo "Starting $program (simulated) with session id $ibc_session_id ${autorestart_option}"
	trap 'kill -TERM $PID' TERM INT
	"$node" "$main" "-DjtsConfigDir=${tws_settings_path}" "-Dibcsessionid=${ibc_session_id}" ${autorestart_option} \
		ibcalpha.ibc.IbcGateway "$ibc_ini" "${credentials[@]}" ${mode} 2>/dev/null &
	PID=$!
	wait $PID
	trap - TERM INT
	wait $PID
	exit_code=$(($? % 256))
	echo "IBC returned exit status $exit_code"

	if [[ $exit_code -eq $E_LOGIN_DIALOG_DISPLAY_TIMEOUT ]]; then
		:
	elif [[ -e "$tws_settings_path/COLDRESTART$ibc_session_id" ]]; then
		rm "$tws_settings_path/COLDRESTART$ibc_session_id"
		autorestart_option=
		echo "IBC will cold-restart shortly"
	else
		find_auto_restart
		if [[ -n $restart_needed ]]; then
			if [[ -e "$tws_settings_path/PAUSE$ibc_session_id" ]]; then
				rm "$tws_settings_path/PAUSE$ibc_session_id"
				echo "IBC is paused"
				break
			fi
		elif [[ $exit_code -ne $E_2FA_DIALOG_TIMED_OUT ]]; then
			break
		elif [[ "${twofa_to_action_upper}" != "RESTART" ]]; then
			break
		fi
	fi
	echo "IBC will restart shortly"
done

echo "$program finished"
exit $exit_code
