import { CST, Parser, parseDocument } from 'yaml';
import { ERR_CONF_INVALID } from '../errors.js';

/**
 * An editable gateway conf.yaml that keeps every byte it was not asked to change.
 *
 * Why the CST and not yaml's Document: the shipped conf.yaml is indented by 4 spaces as a whole
 * and mixes 2- and 4-space nesting; Document#toString re-indents everything, so a one-key
 * change would rewrite the file. The CST (concrete syntax tree) stringifies back to the exact
 * source, and edits replace only the tokens of the value being changed.
 */
export type ConfScalar = string | number | boolean | null;
export type ConfValue = ConfScalar | string[];

type Item = CST.CollectionItem;
type BlockMap = CST.BlockMap;
type BlockSeq = CST.BlockSequence;

const NEWLINE: CST.SourceToken = { type: 'newline', offset: 0, indent: 0, source: '\n' };
const space = (n: number): CST.SourceToken => ({ type: 'space', offset: 0, indent: 0, source: ' '.repeat(n) });

/** Plain when the plain form reads back as the same string, else double-quoted (JSON escapes are valid YAML). */
export function formatScalar(value: ConfScalar): string {
  if (typeof value !== 'string') return String(value);
  if (value !== '' && !/^\s|\s$|[#:"'\n]|^[-?!&*%@`|>{}[\],]/.test(value)) {
    const back = parseDocument(value);
    if (back.errors.length === 0 && back.toJS() === value) return value;
  }
  return JSON.stringify(value);
}

function keyOf(item: Item): string | null {
  if (!item.key || !CST.isScalar(item.key)) return null;
  return String(CST.resolveAsScalar(item.key)?.value ?? '');
}

function lastSpace(tokens: CST.SourceToken[] | undefined): boolean {
  return !!tokens && tokens.length > 0 && tokens[tokens.length - 1].type === 'space';
}

/**
 * The parser puts a line's leading indentation into the previous token list (the document
 * start, or the parent's `sep`). Moving it into the first child's `start` changes nothing in
 * the output, but makes every item self-contained so items can be added, removed and reordered.
 */
function normalize(token: CST.Token | undefined, before?: CST.SourceToken[]): void {
  if (!token || (token.type !== 'block-map' && token.type !== 'block-seq')) return;
  const first = token.items[0];
  if (first && before && lastSpace(before) && !(first.start[0]?.type === 'space')) first.start.unshift(before.pop()!);
  for (const item of token.items) {
    if (token.type === 'block-map') normalize(item.value, item.sep);
    else normalize(item.value);
  }
}

export class ConfDocument {
  /** Every top-level token (comments before the document are tokens of their own), and the document among them. */
  private constructor(private readonly tokens: CST.Token[], private readonly doc: CST.Document, private readonly name: string) {}

  /** Throws ERR_CONF_INVALID for YAML errors, several documents, or a root that is not a block mapping. */
  static parse(text: string, name = 'conf.yaml'): ConfDocument {
    const check = parseDocument(text);
    if (check.errors.length > 0) throw ERR_CONF_INVALID(name, check.errors[0].message.split('\n')[0]);
    const tokens = [...new Parser().parse(text)];
    const docs = tokens.filter((t): t is CST.Document => t.type === 'document');
    if (docs.length !== 1) throw ERR_CONF_INVALID(name, `expected one YAML document, found ${docs.length}`);
    if (docs[0].value?.type !== 'block-map') throw ERR_CONF_INVALID(name, 'the top level must be a mapping of keys');
    normalize(docs[0].value, docs[0].start);
    return new ConfDocument(tokens, docs[0], name);
  }

  toString(): string {
    return this.tokens.map((t) => CST.stringify(t)).join('');
  }

  toJS(): Record<string, unknown> {
    return (parseDocument(this.toString()).toJS() ?? {}) as Record<string, unknown>;
  }

  clone(): ConfDocument {
    return ConfDocument.parse(this.toString(), this.name);
  }

  /** Top-level keys in file order. */
  keys(): string[] {
    return (this.doc.value as BlockMap).items.map(keyOf).filter((k): k is string => k !== null);
  }

  get(path: string[]): unknown {
    let node: unknown = this.toJS();
    for (const key of path) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  }

  has(path: string[]): boolean {
    return this.locate(path) !== null;
  }

  /** Sets a scalar or a list of strings, creating missing keys; untouched lines keep their bytes. */
  set(path: string[], value: ConfValue): void {
    let map = this.doc.value as BlockMap;
    for (let i = 0; i < path.length; i++) {
      const item = map.items.find((it) => keyOf(it) === path[i]);
      if (!item) return this.append(map, path.slice(i), value);
      if (i === path.length - 1) return this.replaceValue(map, item, path[i], value);
      if (item.value?.type !== 'block-map') return this.replaceItem(map, item, path.slice(i), value);
      map = item.value;
    }
  }

  /** Removes a key (used to model a missing list); returns false when it was not there. */
  delete(path: string[]): boolean {
    const found = this.locate(path);
    if (!found) return false;
    found.map.items.splice(found.map.items.indexOf(found.item as BlockMap['items'][number]), 1);
    return true;
  }

  private locate(path: string[]): { map: BlockMap; item: Item } | null {
    let map = this.doc.value as BlockMap;
    for (let i = 0; i < path.length; i++) {
      const item = map.items.find((it) => keyOf(it) === path[i]);
      if (!item) return null;
      if (i === path.length - 1) return { map, item };
      if (item.value?.type !== 'block-map') return null;
      map = item.value;
    }
    return null;
  }

  private replaceValue(map: BlockMap, item: Item, key: string, value: ConfValue): void {
    const current = item.value;
    if (!Array.isArray(value) && current && CST.isScalar(current) && current.type !== 'alias') {
      const source = formatScalar(value);
      if (current.source === source) return;
      const quoted = source.startsWith('"') || current.type === 'double-quoted-scalar';
      CST.setScalarValue(current, String(value), { type: quoted ? 'QUOTE_DOUBLE' : 'PLAIN' });
      return;
    }
    if (Array.isArray(value) && value.length > 0 && current?.type === 'block-seq') return this.editSeq(current, value);
    this.replaceItem(map, item, [key], value);
  }

  /** Keeps the tokens (quoting, trailing comments) of entries that stay; new entries copy the list's indentation. */
  private editSeq(seq: BlockSeq, values: string[]): void {
    const entries = seq.items.filter((it) => it.value);
    const trailing = seq.items.filter((it) => !it.value); // comment-only lines after the last entry
    const unused = new Set(entries);
    const next = values.map((v) => {
      const reuse = [...unused].find((it) => String(CST.resolveAsScalar(it.value as CST.FlowScalar)?.value) === v);
      if (reuse) {
        unused.delete(reuse);
        return reuse;
      }
      const start = [space(seq.indent), { type: 'seq-item-ind', offset: 0, indent: seq.indent, source: '-' }, space(1)] as CST.SourceToken[];
      const scalar: CST.FlowScalar = { type: 'scalar', offset: 0, indent: seq.indent + 2, source: '', end: [{ ...NEWLINE }] };
      CST.setScalarValue(scalar, v, { type: formatScalar(v).startsWith('"') ? 'QUOTE_DOUBLE' : 'PLAIN' });
      return { start, value: scalar } as Item;
    });
    for (const it of next) {
      const end = (it.value as CST.FlowScalar).end ?? [];
      if (!end.some((t) => t.type === 'newline')) (it.value as CST.FlowScalar).end = [...end, { ...NEWLINE }];
    }
    seq.items = [...next, ...trailing] as BlockSeq['items'];
  }

  private replaceItem(map: BlockMap, item: Item, path: string[], value: ConfValue): void {
    const fresh = this.fragment(map.indent, path, value);
    item.key = fresh.key;
    item.sep = fresh.sep;
    item.value = fresh.value;
  }

  private append(map: BlockMap, path: string[], value: ConfValue): void {
    const fresh = this.fragment(map.indent, path, value);
    // A file without a final newline would glue the new key onto its last line.
    if (!this.toString().endsWith('\n')) fresh.start.unshift({ ...NEWLINE });
    const trailingComments = map.items.length > 0 && !map.items[map.items.length - 1].key ? 1 : 0;
    map.items.splice(map.items.length - trailingComments, 0, fresh as BlockMap['items'][number]);
  }

  /** Renders `path: value` as YAML at the given indentation and parses it back into CST items. */
  private fragment(indent: number, path: string[], value: ConfValue): Item {
    const step = 2;
    const lines: string[] = [];
    path.forEach((key, depth) => {
      const pad = ' '.repeat(indent + depth * step);
      if (depth < path.length - 1) lines.push(`${pad}${formatScalar(key)}:`);
      else if (!Array.isArray(value)) lines.push(`${pad}${formatScalar(key)}: ${formatScalar(value)}`);
      else if (value.length === 0) lines.push(`${pad}${formatScalar(key)}: []`);
      else lines.push(`${pad}${formatScalar(key)}:`, ...value.map((v) => `${pad}${' '.repeat(step)}- ${formatScalar(v)}`));
    });
    const [doc] = [...new Parser().parse(lines.join('\n') + '\n')] as CST.Document[];
    normalize(doc.value, doc.start);
    return (doc.value as BlockMap).items[0];
  }
}
