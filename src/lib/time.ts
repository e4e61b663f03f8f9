/** Now as ISO-8601 UTC, the one timestamp format the store keeps. */
export function nowIso(): string {
  return new Date().toISOString();
}
