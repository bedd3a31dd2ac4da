/**
 * Removes secrets from one line of gateway output. The real gateway prints its whole conf
 * at start, sslPwd in clear text (observed), so captured output is secret-bearing.
 * Two nets: key patterns (sslPwd=…, "password": "…") catch any value, and the literal
 * current password catches it wherever it appears without a key next to it.
 */
const KEYED = /((?:sslPwd|password|passwd|passphrase|pwd|secret|token)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}\])"']+)/gi;
const CENSOR = '[redacted]';

/** Literal values shorter than this are not replaced on their own: they would shred ordinary text. */
const MIN_LITERAL = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createRedactor(secrets: () => Iterable<string>): (line: string) => string {
  return (line: string) => {
    // Quotes are kept, so redacted conf text stays valid YAML with the same layout.
    let out = line.replace(KEYED, (_m, key: string, value: string) => key + (/^["']/.test(value) ? value[0] + CENSOR + value[0] : CENSOR));
    for (const secret of secrets()) {
      if (secret && secret.length >= MIN_LITERAL && out.includes(secret)) out = out.replace(new RegExp(escapeRegExp(secret), 'g'), CENSOR);
    }
    return out;
  };
}
