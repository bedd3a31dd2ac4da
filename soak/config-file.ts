/**
 * The daemon's config file, owned by the soak: the base config, edits over it, and raw text
 * for invalid edits. Written temp + rename, as an editor saving would, so the daemon's watcher
 * never reads half a file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { toYaml } from './soak-config.js';

export class ConfigFile {
  readonly path: string;
  readonly #base: Record<string, any>;
  #current: Record<string, any>;

  constructor(path: string, base: Record<string, any>) {
    this.path = path;
    this.#base = structuredClone(base);
    this.#current = structuredClone(base);
  }

  get base(): Record<string, any> {
    return structuredClone(this.#base);
  }

  get current(): Record<string, any> {
    return structuredClone(this.#current);
  }

  /** Writes the base with `mutate` applied. */
  write(mutate: (config: Record<string, any>) => void = () => {}): void {
    const next = structuredClone(this.#base);
    mutate(next);
    this.#current = next;
    this.#writeText(toYaml(next));
  }

  /** Text the daemon must refuse; the current (good) config stays what a restore writes back. */
  writeRaw(text: string): void {
    this.#writeText(text);
  }

  /** Back to the base config. */
  restore(): void {
    this.write();
  }

  #writeText(text: string): void {
    const temp = `${this.path}.soak.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, this.path);
  }
}
