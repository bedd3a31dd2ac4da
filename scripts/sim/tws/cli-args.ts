/**
 * `ibgw-sim-tws [-Dname=value…] [ibcalpha.ibc.IbcGateway] <config.ini> [user password] [live|paper]
 *  [--sim-config FILE] [--port N] [--bind ADDR]`
 *
 * The positional part is IBC's own entry-point command line (what ibcstart.sh hands to java),
 * and the -D options are the JVM properties ibcstart.sh sets that matter here: jtsConfigDir
 * (the TWS settings folder, where jts.ini lives), ibcsessionid and restart. The `--` options are
 * the simulator's own: `--port` overrides the API port (0 = any, reported in the info file),
 * `--bind` is the listen address (default 127.0.0.1; the real gateway listens on all).
 */
export interface TwsCliArgs {
  ibcIni: string;
  user: string | null;
  password: string | null;
  mode: 'live' | 'paper' | null;
  properties: Record<string, string>;
  simConfig: string | null;
  port: number | null;
  bind: string;
}

export const TWS_USAGE =
  'usage: ibgw-sim-tws [-Dname=value…] <config.ini> [user password] [live|paper] [--sim-config FILE] [--port N] [--bind ADDR]';

export function parseTwsArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TwsCliArgs {
  const args: TwsCliArgs = { ibcIni: '', user: null, password: null, mode: null, properties: {}, simConfig: env.IBGW_SIM_TWS_CONFIG || null, port: null, bind: '127.0.0.1' };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg.startsWith('-D')) {
      const eq = arg.indexOf('=');
      if (eq < 0) throw new Error(`${arg}: expected -Dname=value`);
      args.properties[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (arg === '--sim-config') args.simConfig = next();
    else if (arg === '--bind') args.bind = next();
    else if (arg === '--port') {
      const port = Number(next());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
      args.port = port;
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (arg === 'ibcalpha.ibc.IbcGateway' && positional.length === 0) continue;
    else positional.push(arg);
  }
  const ini = positional.shift();
  if (!ini) throw new Error('missing the IBC config.ini path');
  args.ibcIni = ini;
  const last = positional.at(-1)?.toLowerCase();
  if (last === 'live' || last === 'paper') {
    args.mode = last;
    positional.pop();
  }
  // IBC: 2 more arguments are the IBKR user and password; 4 are FIX credentials then the IBKR ones.
  if (positional.length === 2 || positional.length === 4) {
    [args.user, args.password] = positional.slice(-2) as [string, string];
  } else if (positional.length !== 0) {
    throw new Error('expected <config.ini> [user password] [live|paper]');
  }
  return args;
}
