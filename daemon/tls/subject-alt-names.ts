/** The names a server certificate must cover: localhost and 127.0.0.1, plus the configured hosts. */
export function subjectAltNames(hosts: string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', ...hosts.map((h) => h.trim()).filter(Boolean)])];
}
