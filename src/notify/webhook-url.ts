import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where outbound webhooks may go (SSRF): `https:` to a public address, or plain `http:` only to
 * loopback (the demo, a portal beside the hub, tests). Private, link-local, unique-local and
 * unspecified addresses are refused, both as written in the URL at registration and as the host
 * name resolves at each delivery (a name that later points inside is caught then).
 */

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** Private, link-local, CGNAT, unique-local, multicast and unspecified ranges (not loopback). */
export function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const lower = address.toLowerCase();
  return lower === '::' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80') || lower.startsWith('ff');
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Why a URL may not be a subscriber, or null when it may. */
export function refuseWebhookUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'a webhook URL carries no credentials (the signature authenticates the hub)';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = LOOPBACK_NAMES.has(url.hostname) || (isIP(host) !== 0 && isLoopback(host));
  if (url.protocol === 'http:' && !loopback) return 'plain http is allowed only to loopback; use https';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only https (or http to loopback) URLs';
  if (!loopback && isIP(host) !== 0 && isPrivateAddress(host)) return `${host} is a private address`;
  return null;
}

/** At delivery: refuses a host name that now resolves to a private address. */
export async function refuseResolvedHost(text: string): Promise<string | null> {
  const written = refuseWebhookUrl(text);
  if (written !== null) return written;
  const url = new URL(text);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || LOOPBACK_NAMES.has(url.hostname)) return null;
  const addresses = await lookup(host, { all: true });
  const bad = addresses.find((a) => isPrivateAddress(a.address) || isLoopback(a.address));
  return bad === undefined ? null : `${host} resolves to ${bad.address}, a private or loopback address`;
}
