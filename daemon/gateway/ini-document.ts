/**
 * An INI file edited line by line, for IBC's config.ini (no sections) and IB Gateway's jts.ini
 * ([IBGateway], [Logon] …): a set changes only the lines of that key, so comments, blank lines,
 * order, unknown keys and line endings survive byte for byte — the same promise conf-document
 * makes for conf.yaml. Keys are matched exactly as IBC's JtsIniManager and Java's Properties
 * do (case-sensitive, `key=` at the start of the line). Section '' is the part before the first
 * header (all of config.ini).
 */
export class IniDocument {
  readonly #lines: string[];
  readonly #eol: string;

  private constructor(lines: string[], eol: string) {
    this.#lines = lines;
    this.#eol = eol;
  }

  static parse(text: string): IniDocument {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    return new IniDocument(text.split(eol), eol);
  }

  clone(): IniDocument {
    return new IniDocument([...this.#lines], this.#eol);
  }

  toString(): string {
    return this.#lines.join(this.#eol);
  }

  /** [start, end) line indexes of a section's body; null when the section is absent. */
  #range(section: string): [number, number] | null {
    let start = section === '' ? 0 : -1;
    for (let i = 0; i < this.#lines.length; i++) {
      const header = /^\s*\[(.*)\]\s*$/.exec(this.#lines[i]!);
      if (!header) continue;
      if (start >= 0) return [start, i];
      if (header[1] === section) start = i + 1;
    }
    return start >= 0 ? [start, this.#lines.length] : null;
  }

  #indexes(section: string, key: string): number[] {
    const range = this.#range(section);
    if (!range) return [];
    const out: number[] = [];
    for (let i = range[0]; i < range[1]; i++) {
      const line = this.#lines[i]!.replace(/^\s+/, '');
      if (line.startsWith('#') || line.startsWith('!') || line.startsWith(';')) continue;
      const m = /^([^=:\s]+)\s*[=:]/.exec(line);
      if (m?.[1] === key) out.push(i);
    }
    return out;
  }

  /** The raw value text after `=` (the last occurrence wins, as in Java's Properties). */
  get(section: string, key: string): string | undefined {
    const at = this.#indexes(section, key).at(-1);
    if (at === undefined) return undefined;
    const line = this.#lines[at]!;
    return line.slice(line.search(/[=:]/) + 1).replace(/^\s+/, '');
  }

  has(section: string, key: string): boolean {
    return this.#indexes(section, key).length > 0;
  }

  /** Sets every occurrence (a stale duplicate would otherwise win); adds the key when absent. */
  set(section: string, key: string, value: string): void {
    const at = this.#indexes(section, key);
    if (at.length > 0) {
      for (const i of at) {
        const line = this.#lines[i]!;
        const sep = line.search(/[=:]/);
        // Keep whatever the line had up to and including the separator (indent, spacing).
        const prefix = line.slice(0, sep + 1) + (/^[=:]\s/.test(line.slice(sep)) ? ' ' : '');
        if (line !== prefix + value) this.#lines[i] = prefix + value;
      }
      return;
    }
    const range = this.#range(section);
    if (!range) {
      // A new section at the end, after one blank line.
      const tail = this.#lines.at(-1) === '' ? this.#lines.length - 1 : this.#lines.length;
      const block = [...(tail > 0 && this.#lines[tail - 1] !== '' ? [''] : []), `[${section}]`, `${key}=${value}`];
      this.#lines.splice(tail, 0, ...block);
      return;
    }
    // After the section's last non-blank line, so trailing blank lines stay the separator.
    let insert = range[1];
    while (insert > range[0] && this.#lines[insert - 1]!.trim() === '') insert--;
    this.#lines.splice(insert, 0, `${key}=${value}`);
  }

  /** Every key of a section, in file order (duplicates once). */
  keys(section: string): string[] {
    const range = this.#range(section);
    if (!range) return [];
    const out = new Set<string>();
    for (let i = range[0]; i < range[1]; i++) {
      const m = /^\s*([^#!;=:\s][^=:\s]*)\s*[=:]/.exec(this.#lines[i]!);
      if (m) out.add(m[1]!);
    }
    return [...out];
  }
}
