/**
 * What ran before a change, kept so it can be put back: the managed conf, the certificate
 * files, the gateway version — each a RestorePart. A point is captured before every change,
 * written to <dataDir>/maintenance/rollback (0700 folder, 0600 files: the conf and the
 * keystore hold secrets) and stays there after a good change, for a manual rollback.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

export interface CapturedPart {
  name: string;
  /** What a rollback returns to, for people (plan preview, events). */
  summary: string;
  /** The part's own facts, JSON. */
  data: unknown;
}

export interface RestorePart {
  readonly name: string;
  /** Saves what runs now under `dir`; null when the part does not apply (no managed conf …). */
  capture(dir: string): Promise<CapturedPart | null>;
  restore(dir: string, captured: CapturedPart, reason: string): Promise<void>;
  /** What capture would save now, without saving it (the plan preview). */
  describe(): Promise<string | null>;
}

export type PointStatus = 'in-progress' | 'applied' | 'rolled-back' | 'rollback-failed';

export interface RollbackPoint {
  label: string;
  createdAt: string;
  status: PointStatus;
  parts: CapturedPart[];
}

export class RollbackPoints {
  private readonly file: string;

  constructor(private readonly dir: string, private readonly parts: () => RestorePart[], private readonly now: () => number = Date.now) {
    this.file = join(dir, 'point.json');
  }

  async capture(label: string): Promise<RollbackPoint> {
    // One point at a time: the newest change is the one a rollback undoes.
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const parts: CapturedPart[] = [];
    for (const part of this.parts()) {
      const captured = await part.capture(join(this.dir, part.name));
      if (captured) parts.push(captured);
    }
    const point: RollbackPoint = { label, createdAt: new Date(this.now()).toISOString(), status: 'in-progress', parts };
    await this.save(point);
    return point;
  }

  /** Puts every captured part back, the last captured first. */
  async restore(point: RollbackPoint, reason: string): Promise<void> {
    const byName = new Map(this.parts().map((p) => [p.name, p]));
    for (const captured of [...point.parts].reverse()) {
      const part = byName.get(captured.name);
      if (part) await part.restore(join(this.dir, captured.name), captured, reason);
    }
  }

  async load(): Promise<RollbackPoint | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as RollbackPoint;
    } catch {
      return null;
    }
  }

  async setStatus(point: RollbackPoint, status: PointStatus): Promise<void> {
    point.status = status;
    await this.save(point);
  }

  private async save(point: RollbackPoint): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(point, null, 2) + '\n', { mode: 0o600 });
  }

  /** What a point captured now would hold (for the plan preview). */
  async describe(): Promise<string[]> {
    const out: string[] = [];
    for (const part of this.parts()) {
      const d = await part.describe();
      if (d) out.push(d);
    }
    return out;
  }
}
