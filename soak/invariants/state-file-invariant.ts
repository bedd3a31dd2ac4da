/**
 * State files always parse: every JSON file the daemon and the gateway keep in the data dir
 * (state.json, login-budget.json, session-history.json, vault.json, the run record, the
 * simulator's files …) and the managed conf.yaml, read at any moment. They are written temp +
 * fsync + rename, so a reader must only ever see a whole old or a whole new file. The event
 * log (events.jsonl) is appended to: each of its whole lines parses; a last line without its
 * newline may be an append in progress (or a kill -9's trace, cut at the next open).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Violations } from '../violations.js';

/** Temp files of an atomic write, and what the store quarantined, are not state. */
const SKIP = /\.tmp$|\.tmp\.|corrupt|\.lock$/;

export class StateFileInvariant {
  readonly #dataDir: string;
  readonly #violations: Violations;
  reads = 0;
  readonly files = new Set<string>();

  constructor(dataDir: string, violations: Violations) {
    this.#dataDir = dataDir;
    this.#violations = violations;
  }

  check(): void {
    for (const path of this.#list(this.#dataDir, 3)) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // renamed away between listing and reading
      }
      this.reads += 1;
      this.files.add(path);
      try {
        if (path.endsWith('.jsonl')) {
          for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) if (line !== '') JSON.parse(line);
        } else {
          if (path.endsWith('.json')) JSON.parse(text);
          else parseYaml(text);
          if (text.trim() === '') throw new Error('empty file');
        }
      } catch (err) {
        this.#violations.record('state-file-unparsable', `${path} does not parse (${text.length} bytes): ${(err as Error).message.split('\n')[0]}`, { key: path });
      }
    }
  }

  *#list(dir: string, depth: number): Generator<string> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth > 0 && e.name !== 'logs') yield* this.#list(path, depth - 1);
      else if (e.isFile() && !SKIP.test(e.name) && (e.name.endsWith('.json') || e.name.endsWith('.jsonl') || e.name === 'conf.yaml')) yield path;
    }
  }
}
