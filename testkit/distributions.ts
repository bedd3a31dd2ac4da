/**
 * Fixture Client Portal Gateway distributions: the real layout (bin/run.sh, root/conf.yaml,
 * dist/<gateway jar with IBKR's manifest>, build/lib/runtime/) around a stand-in "JVM"
 * (build/fake-jvm.sh) that either runs the simulated gateway on the managed conf, never
 * listens, or never listens once a break file exists. A fake `java` (JAVA_HOME) takes the argv
 * the daemon builds for the real gateway and runs the distribution's stand-in from its cwd,
 * so the launch path is the real one: java, -cp <managed conf dir>:dist/…, cwd = version home.
 * Shared by the tests and the soak: the paths of the project (the simulator, a shipped
 * conf.yaml) come from the caller, as testkit imports nothing of it.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gatewayJar, writeZip, type ZipInput } from './zip-writer.js';

export type JvmBehaviour = 'sim' | 'never-ready' | 'breakable';

const JVM: Record<JvmBehaviour, string> = {
  sim: '#!/bin/sh\n# Stand-in JVM: the simulated gateway on the managed conf.\nexec "$NODE" "$SIM_MAIN" "$1/conf.yaml"\n',
  'never-ready': '#!/bin/sh\n# Like a gateway with a bad keystore: the banner, then it never listens.\necho "Open https://localhost:5000 to login"\nexec sleep 600\n',
  breakable: '#!/bin/sh\nif [ -e "$BREAK_FILE" ]; then echo "Open https://localhost:5000 to login"; exec sleep 600; fi\nexec "$NODE" "$SIM_MAIN" "$1/conf.yaml"\n',
};

const RUN_SH = '#!/bin/bash\n# usage: ./run.sh [conf.yaml]\ncd "$(dirname "$0")/../root" || exit 1\njava -server -cp ".:../dist/ibgroup.web.core.iblink.router.clientportal.gw.jar:../build/lib/runtime/*" ibgroup.web.core.clientportal.gw.GatewayStart --conf "${1:-conf.yaml}"\n';

/** `shippedConf`: the conf.yaml IBKR ships (root/conf.yaml of the distribution). */
export function distributionEntries(build: string | null, jvm: JvmBehaviour, shippedConf: string, prefix = ''): ZipInput[] {
  return [
    { name: `${prefix}bin/` },
    { name: `${prefix}bin/run.sh`, data: RUN_SH, mode: 0o755 },
    { name: `${prefix}root/` },
    { name: `${prefix}root/conf.yaml`, data: readFileSync(shippedConf) },
    { name: `${prefix}root/logback.xml`, data: '<configuration/>\n' },
    { name: `${prefix}dist/` },
    { name: `${prefix}dist/ibgroup.web.core.iblink.router.clientportal.gw.jar`, data: gatewayJar(build) },
    { name: `${prefix}build/` },
    { name: `${prefix}build/lib/runtime/` },
    { name: `${prefix}build/lib/runtime/vertx-core-3.5.0.jar`, data: 'not really a jar' },
    { name: `${prefix}build/fake-jvm.sh`, data: JVM[jvm], mode: 0o755 },
  ];
}

/** As IBKR ships it (a zip), optionally wrapped in a top folder. */
export function distributionZip(path: string, build: string | null, jvm: JvmBehaviour, shippedConf: string, topFolder = 'clientportal.gw/'): string {
  return writeZip(path, [...(topFolder ? [{ name: topFolder }] : []), ...distributionEntries(build, jvm, shippedConf, topFolder)]);
}

/** As an unpacked folder. */
export function distributionDir(dir: string, build: string | null, jvm: JvmBehaviour, shippedConf: string): string {
  for (const e of distributionEntries(build, jvm, shippedConf)) {
    const path = join(dir, e.name);
    if (e.name.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, e.data ?? '');
    chmodSync(path, e.mode ?? 0o644);
  }
  return dir;
}

const FAKE_JAVA = `#!/bin/sh
# Takes the real gateway's java argv; runs the distribution's stand-in JVM (cwd = its home)
# with the managed conf folder the daemon put first on the classpath.
while [ $# -gt 0 ]; do
  if [ "$1" = "-cp" ]; then confdir="\${2%%:*}"; fi
  shift
done
exec sh build/fake-jvm.sh "$confdir"
`;

/**
 * Writes a JAVA_HOME with the fake java into `home` (an empty folder the caller owns and
 * removes) and returns the gateway.env the fixture distributions need: that JAVA_HOME and the
 * simulator (`simMain`, dist/scripts/sim/main.js) their stand-in JVM runs.
 */
export function fakeJavaHome(home: string, simMain: string, extra: Record<string, string> = {}): Record<string, string> {
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin/java'), FAKE_JAVA, { mode: 0o755 });
  return { JAVA_HOME: home, NODE: process.execPath, NODE_OPTIONS: '', SIM_MAIN: simMain, ...extra };
}
