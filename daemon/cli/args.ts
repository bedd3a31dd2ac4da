import { parseArgs } from 'node:util';

export interface CommonArgs {
  config: string | null;
  json: boolean;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Every command accepts --config PATH (else IBGW_CONFIG) and --json; commands add their own flags. */
export function parseCommon(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}): CommonArgs {
  const { values, positionals } = parseArgs({
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
  return {
    config: (values.config as string | undefined) ?? process.env.IBGW_CONFIG ?? null,
    json: Boolean(values.json),
    positionals,
    values: values as Record<string, string | boolean | undefined>,
  };
}
