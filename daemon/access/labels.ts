import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';

/**
 * Labels for allow/deny entries, kept beside the conf (access-labels.json): conf.yaml cannot
 * hold them, because the gateway exits on any key it does not know.
 */
export type AccessLabels = Record<'allow' | 'deny', Record<string, string>>;

export async function readLabels(path: string): Promise<AccessLabels> {
  if (!existsSync(path)) return { allow: {}, deny: {} };
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<AccessLabels>;
    return { allow: { ...(raw.allow ?? {}) }, deny: { ...(raw.deny ?? {}) } };
  } catch {
    return { allow: {}, deny: {} }; // labels are comments: losing them never changes access
  }
}

/** Drops labels of entries no longer in the lists, so a re-added entry does not inherit a stale label. */
export async function writeLabels(path: string, labels: AccessLabels, lists: Record<'allow' | 'deny', string[]>): Promise<void> {
  const pruned: AccessLabels = { allow: {}, deny: {} };
  for (const list of ['allow', 'deny'] as const) {
    for (const pattern of lists[list]) if (labels[list][pattern]) pruned[list][pattern] = labels[list][pattern];
  }
  await writeFileAtomic(path, JSON.stringify(pruned, null, 2) + '\n');
}
