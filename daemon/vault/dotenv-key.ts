/**
 * Puts a new key into a `.env` file the person wrote: only the value of the ENCRYPTION_KEY
 * line changes; comments, order, other variables and an `export ` prefix stay as they were.
 */
const LINE = /^(\s*(?:export\s+)?ENCRYPTION_KEY\s*=\s*)(.*)$/;

export function replaceEnvKey(text: string, value: string): string {
  let found = false;
  const lines = text.split('\n').map((line) => {
    const match = LINE.exec(line);
    if (!match) return line;
    found = true;
    return `${match[1]}${value}`;
  });
  if (!found) {
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    lines.push(`ENCRYPTION_KEY=${value}`, '');
  }
  return lines.join('\n');
}
