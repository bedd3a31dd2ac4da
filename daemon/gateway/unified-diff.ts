/**
 * A unified diff (the `diff -u` format) of two small texts, for previewing a conf change
 * before it is written. Line-based LCS: conf files are a few hundred lines at most, so the
 * quadratic table is cheap and the output is the minimal edit.
 */
type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i], a: i++, b: j++ });
    // Deletions before insertions, as diff -u prints a replaced line.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: a[i], a: i++, b: j });
    else ops.push({ kind: '+', line: b[j], a: i, b: j++ });
  }
  return ops;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, names = { a: 'current', b: 'proposed' }, context = 3): string {
  if (before === after) return '';
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return ''; // differs only in the final newline
  const out = [`--- ${names.a}`, `+++ ${names.b}`];
  let k = 0;
  while (k < changed.length) {
    const first = Math.max(0, changed[k] - context);
    let last = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= last + 1) last = Math.min(ops.length - 1, changed[++k] + context);
    k++;
    const hunk = ops.slice(first, last + 1);
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(hunk[0].a + 1, aCount)} +${range(hunk[0].b + 1, bCount)} @@`);
    for (const op of hunk) out.push(op.kind + op.line);
  }
  return out.join('\n') + '\n';
}
