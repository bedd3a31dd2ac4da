import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ERR_BAD_REQUEST } from '../errors.js';

export interface CommonArgs {
  config: string | null;
  json: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Every command accepts --config PATH (else IBGW_CONFIG) and --json; commands add their own flags. */
export function parseCommon(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}): CommonArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...extra,
      },
    });
  } catch (err) {
    // An unknown or malformed flag is a usage mistake: one line, not a stack trace.
    throw ERR_BAD_REQUEST((err as Error).message);
  }
  const { values, positionals } = parsed;
  return {
    config: (values.config as string | undefined) ?? process.env.IBGW_CONFIG ?? null,
    json: Boolean(values.json),
    positionals,
    values: values as Record<string, string | boolean | undefined>,
  };
}

/** A file named on the command line; a path that cannot be read is a usage mistake, not a crash. */
export function readFileArg(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw ERR_BAD_REQUEST(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
