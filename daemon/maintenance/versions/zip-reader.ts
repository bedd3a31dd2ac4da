/**
 * Reads zip archives — IBKR's clientportal.gw.zip and the gateway jar inside it (for its
 * manifest) — with nothing but node:zlib. Not a general zip library: stored and deflated
 * entries only, no zip64, no encryption; anything else is refused by name. An entry that
 * would land outside the target folder ("../", absolute paths, symlinks) refuses the whole
 * archive, sizes are bounded against zip bombs, and every file's CRC-32 is checked.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import { ERR_VERSION_ARCHIVE } from '../../errors.js';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Unix permission bits when the archive was made on Unix, else null. */
  mode: number | null;
  directory: boolean;
  symlink: boolean;
}

export interface ZipLimits {
  /** Sum of uncompressed sizes. */
  maxTotalBytes: number;
  maxEntries: number;
}

const DEFAULT_LIMITS: ZipLimits = { maxTotalBytes: 1024 * 1024 * 1024, maxEntries: 50_000 };
const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

export class ZipArchive {
  private constructor(readonly path: string, readonly entries: ZipEntry[]) {}

  static async open(path: string, limits: ZipLimits = DEFAULT_LIMITS): Promise<ZipArchive> {
    const fail = (why: string) => ERR_VERSION_ARCHIVE(path, why);
    const fh = await open(path, 'r').catch((err: Error) => { throw fail(err.message); });
    try {
      const size = (await fh.stat()).size;
      // The end record sits in the last 22 bytes plus a comment of up to 65535 bytes.
      const tailLength = Math.min(size, 22 + 65_535);
      const tail = await readAt(fh, size - tailLength, tailLength);
      let at = -1;
      for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD_SIG) { at = i; break; }
      if (at < 0) throw fail('not a zip archive (no end of central directory)');
      const count = tail.readUInt16LE(at + 10);
      const cdSize = tail.readUInt32LE(at + 12);
      const cdOffset = tail.readUInt32LE(at + 16);
      if (count === 0xffff || cdOffset === 0xffffffff) throw fail('zip64 archives are not supported: unzip it and install the folder');
      if (count > limits.maxEntries) throw fail(`more than ${limits.maxEntries} entries`);
      const cd = await readAt(fh, cdOffset, cdSize);
      const entries = parseCentralDirectory(cd, count, fail);
      const total = entries.reduce((n, e) => n + e.size, 0);
      if (total > limits.maxTotalBytes) throw fail(`unpacks to ${total} bytes, more than ${limits.maxTotalBytes}`);
      return new ZipArchive(path, entries);
    } finally {
      await fh.close();
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const fh = await open(this.path, 'r');
    try {
      const head = await readAt(fh, entry.localOffset, 30);
      if (head.length < 30 || head.readUInt32LE(0) !== LOC_SIG) throw ERR_VERSION_ARCHIVE(this.path, `bad local header for ${entry.name}`);
      return entry.localOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    } finally {
      await fh.close();
    }
  }

  /** A small entry in memory (a manifest). */
  async read(entry: ZipEntry, maxBytes = 1024 * 1024): Promise<Buffer> {
    if (entry.size > maxBytes) throw ERR_VERSION_ARCHIVE(this.path, `${entry.name} is larger than ${maxBytes} bytes`);
    const fh = await open(this.path, 'r');
    let raw: Buffer;
    try {
      raw = await readAt(fh, await this.dataOffset(entry), entry.compressedSize);
    } finally {
      await fh.close();
    }
    const data = entry.method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: maxBytes });
    if (data.length !== entry.size || crc32(data) !== entry.crc) throw ERR_VERSION_ARCHIVE(this.path, `${entry.name} is damaged (size or CRC-32 mismatch)`);
    return data;
  }

  /** Unpacks every entry under `dir` (created), keeping Unix permission bits. */
  async extractTo(dir: string): Promise<void> {
    const root = resolve(dir);
    for (const entry of this.entries) {
      const target = resolve(root, entry.name);
      if (entry.directory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await this.extractEntry(entry, target);
    }
  }

  private async extractEntry(entry: ZipEntry, target: string): Promise<void> {
    const start = await this.dataOffset(entry);
    let written = 0;
    let crc = 0;
    const check = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        written += chunk.length;
        // The central directory's size is what the limits were checked against: never write more.
        if (written > entry.size) return done(ERR_VERSION_ARCHIVE(this.path, `${entry.name} unpacks to more than its declared ${entry.size} bytes`));
        crc = crc32(chunk, crc);
        done(null, chunk);
      },
    });
    // An empty range would make createReadStream read the whole file: an empty source instead.
    const source = entry.compressedSize === 0 ? Readable.from([]) : createReadStream(this.path, { start, end: start + entry.compressedSize - 1 });
    const mode = entry.mode !== null ? (entry.mode & 0o777) | 0o600 : 0o644;
    const out = createWriteStream(target, { mode });
    if (entry.method === 8) await pipeline(source, createInflateRaw(), check, out);
    else await pipeline(source, check, out);
    if (written !== entry.size || crc !== entry.crc) throw ERR_VERSION_ARCHIVE(this.path, `${entry.name} is damaged (size or CRC-32 mismatch)`);
  }
}

function parseCentralDirectory(cd: Buffer, count: number, fail: (why: string) => Error): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN_SIG) throw fail('damaged central directory');
    const madeBy = cd.readUInt16LE(p + 4);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const nameLength = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    const name = cd.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const unix = madeBy >> 8 === 3;
    const attrs = cd.readUInt32LE(p + 38);
    const entry: ZipEntry = {
      name, method, crc: cd.readUInt32LE(p + 16), compressedSize: cd.readUInt32LE(p + 20), size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42), mode: unix ? attrs >>> 16 : null, directory: name.endsWith('/'),
      symlink: unix && ((attrs >>> 16) & 0o170000) === 0o120000,
    };
    if (flags & 1) throw fail(`${name} is encrypted`);
    if (method !== 0 && method !== 8) throw fail(`${name} uses compression method ${method} (only stored and deflate are supported)`);
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff) throw fail('zip64 archives are not supported: unzip it and install the folder');
    if (entry.symlink) throw fail(`${name} is a symbolic link`);
    assertInside(name, fail);
    entries.push(entry);
    p = next;
  }
  return entries;
}

/** Zip-slip: a name must stay inside the folder it is unpacked into. */
function assertInside(name: string, fail: (why: string) => Error): void {
  const base = resolve('/zip-root');
  const target = resolve(base, name);
  if (name.includes('\\') || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || (target !== base && !target.startsWith(base + sep))) {
    throw fail(`entry ${JSON.stringify(name)} would be written outside the target folder`);
  }
  if (name.split('/').includes('..')) throw fail(`entry ${JSON.stringify(name)} contains ".."`);
}
