/**
 * Writes small zip archives for tests (fixture distributions, jars with a manifest, hostile
 * archives): deflate or stored, Unix modes, and the knobs a hostile archive needs (any name,
 * a symlink, a wrong CRC). Tests must not depend on a system `zip`.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipInput {
  name: string;
  data?: Buffer | string;
  /** Unix mode bits (0o755 for bin/run.sh); default 0o644, directories 0o755. */
  mode?: number;
  symlink?: boolean;
  stored?: boolean;
  badCrc?: boolean;
}

export function zipBuffer(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8');
    const dir = e.name.endsWith('/');
    const method = dir || e.stored ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = e.badCrc ? (crc32(data) ^ 1) >>> 0 : crc32(data);
    const type = e.symlink ? 0o120000 : dir ? 0o040000 : 0o100000;
    const mode = (type | (e.mode ?? (dir ? 0o755 : 0o644))) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export function writeZip(path: string, entries: ZipInput[]): string {
  writeFileSync(path, zipBuffer(entries));
  return path;
}

/** A jar whose manifest says what IBKR's gateway jar says, with `build` as the stamp. */
export function gatewayJar(build: string | null): Buffer {
  const manifest = build === null ? null : [
    'Manifest-Version: 1.0',
    'Ant-Version: Apache Ant 1.9.15',
    `When-Built: ${build.slice(0, 4)}-${build.slice(4, 6)}-${build.slice(6, 8)}T${build.slice(8, 10)}:${build.slice(10, 12)}:${build.slice(12, 14)}-0400`,
    '',
    'Name: common',
    // Wrapped at 72 bytes like a real manifest: the continuation starts with one space.
    'Implementation-Version: ibgroup.web.core.iblink.router.clientportal.gw',
    ` -${build}`,
    '',
  ].join('\r\n');
  return zipBuffer([
    ...(manifest ? [{ name: 'META-INF/' }, { name: 'META-INF/MANIFEST.MF', data: manifest }] : []),
    { name: 'ibgroup/web/core/clientportal/gw/GatewayStart.class', data: Buffer.from('cafebabe', 'hex') },
  ]);
}
