/**
 * `ibgw-sim <conf.yaml> [--port N] [--nossl] [--bind ADDR] [--sim-config FILE]`. The first
 * three mirror GatewayStart's own options (`--port`, `--nossl`); `--bind` exists because the
 * simulator defaults to loopback where the real gateway binds 0.0.0.0.
 */
export interface CliArgs {
  confPath: string;
  port: number | null;
  nossl: boolean;
  bind: string;
  simConfig: string | null;
}

export const USAGE = 'usage: ibgw-sim <conf.yaml> [--port N] [--nossl] [--bind ADDR] [--sim-config FILE]';

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const args: CliArgs = { confPath: '', port: null, nossl: false, bind: '127.0.0.1', simConfig: env.IBGW_SIM_CONFIG || null };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => inline ?? value(++i, flag);
    if (flag === '--port') {
      const port = Number(take());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
      args.port = port;
    } else if (flag === '--nossl') args.nossl = true;
    else if (flag === '--bind') args.bind = take();
    else if (flag === '--sim-config') args.simConfig = take();
    else if (flag === '--conf') args.confPath = take(); // GatewayStart's spelling
    else if (flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
    else if (!args.confPath) args.confPath = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (!args.confPath) throw new Error('missing conf.yaml path');
  return args;
}
