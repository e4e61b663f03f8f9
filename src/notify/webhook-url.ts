import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where outbound webhooks may go (SSRF): `https:` to a public address, or plain `http:` only to
 * loopback (the demo, a portal beside the hub, tests). Private, link-local, unique-local and
 * unspecified addresses are refused, both as written in the URL at registration and as the host
 * name resolves at each delivery (a name that later points inside is caught then).
 */

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a dotted tail read), or null. */
function hextets(address: string): number[] | null {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IPv4 address an IPv6 address carries, in every form a request can reach it through:
 * IPv4-mapped (`::ffff:a.b.c.d`, which URL parsing rewrites to hex), IPv4-compatible (`::a.b.c.d`),
 * NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`). Null for other addresses.
 */
function embeddedV4(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const g = hextets(address);
  if (g === null) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4(g[6] ?? 0, g[7] ?? 0);
  if (zeros(6) && !((g[6] ?? 0) === 0 && (g[7] ?? 0) <= 1)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return v4(g[1] ?? 0, g[2] ?? 0);
  return null;
}

function isLoopback(address: string): boolean {
  const v4 = embeddedV4(address) ?? address;
  return v4.startsWith('127.') || (isIP(address) === 6 && hextets(address)?.join(':') === '0:0:0:0:0:0:0:1');
}

/**
 * Private, link-local, CGNAT, unique-local, multicast and unspecified ranges (not loopback), also
 * when an IPv6 address carries such an IPv4 address; Teredo and local-use NAT64 prefixes, whose
 * embedded address cannot be read safely, are refused whole.
 */
export function isPrivateAddress(address: string): boolean {
  const v4 = embeddedV4(address) ?? address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const g = hextets(address);
  if (g === null) return true;
  const first = g[0] ?? 0;
  if (g.every((x) => x === 0)) return true; // ::
  if (first === 0x2001 && g[1] === 0) return true; // Teredo 2001::/32
  if (first === 0x64 && g[1] === 0xff9b) return true; // NAT64, local use 64:ff9b:1::/48 (the /96 was read above)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
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
