/** Runs the real CLI (dist/daemon/cli.js) in a temp working directory, for the vault's CLI tests. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './daemon.js';
import { newKey, tempDir, writeDotEnv } from './vault.js';

export const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(IBGW_|IBKR_|ENCRYPTION_)/.test(k)));

export interface Run { code: number; stdout: string; stderr: string }

export function cli(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...CLEAN_ENV, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdin.end(options.input ?? '');
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A working directory as the setup guide has it: .env with the key, a config naming the data dir. */
export function workdir(t: Parameters<typeof tempDir>[0], extraEnv: string[] = []) {
  const dir = tempDir(t, 'ibgw-vault-cli-');
  const key = newKey();
  writeDotEnv(dir, [`ENCRYPTION_KEY=${key.hex}`, ...extraEnv]);
  writeFileSync(join(dir, 'ibgw.yaml'), 'dataDir: data\n');
  return { dir, key, dataDir: join(dir, 'data'), config: ['--config', join(dir, 'ibgw.yaml')] };
}

export const noSecrets = (t: { notMatch(a: string, b: string, m: string): void }, runs: Run[], secrets: string[]) => {
  const all = runs.map((r) => r.stdout + r.stderr).join('\n');
  for (const s of secrets) t.notMatch(all, s, `never printed: ${s.slice(0, 4)}…`);
};
