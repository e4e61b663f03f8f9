import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult } from '../types.ts';

/** Incoming headers as Node or hono give them; names are matched without regard to case. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** The active secret, or two during a rotation (either one verifies). */
  readonly secrets: string | readonly string[];
  /** Milliseconds since the epoch; for schemes that sign a timestamp. @defaultValue Date.now */
  readonly now?: () => number;
  /** Accepted clock difference, both directions, for schemes that sign a timestamp. @defaultValue 300 */
  readonly toleranceSeconds?: number;
}

/** What a check of the signature headers alone needs: the clock, for schemes that sign a timestamp. */
export type FormOptions = Omit<VerifyOptions, 'secrets'>;

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Header values this long are not signatures; refusing them early keeps verification cheap under fuzz. */
const MAX_HEADER_LENGTH = 8192;

export const ACCEPTED: VerifyResult = { ok: true };

export function reject(status: 400 | 401, reason: string): VerifyResult {
  return { ok: false, status, reason };
}

/** A header by name, any case; a repeated header arrives joined with ", " as Node joins it. */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const direct = headers[wanted];
  const value = direct ?? findCaseInsensitive(headers, wanted);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

function findCaseInsensitive(headers: WebhookHeaders, wanted: string): string | readonly string[] | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** Reads a required header: missing → 401 (unauthenticated), absurdly long → 400. */
export function requireHeader(headers: WebhookHeaders, name: string, missingStatus: 400 | 401): { value: string } | { error: VerifyResult } {
  const value = headerValue(headers, name);
  if (value === undefined || value.trim() === '') return { error: reject(missingStatus, `missing ${name} header`) };
  if (value.length > MAX_HEADER_LENGTH) return { error: reject(400, `${name} header too long`) };
  return { value: value.trim() };
}

export function secretList(secrets: string | readonly string[]): string[] {
  const list = typeof secrets === 'string' ? [secrets] : [...secrets];
  return list.filter((secret) => secret !== '');
}

export function hmacSha256(key: string | Uint8Array, ...parts: ReadonlyArray<string | Uint8Array>): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Decodes lowercase or uppercase hex of exactly `bytes` bytes; anything else is null, never a throw. */
export function decodeHex(text: string, bytes: number): Buffer | null {
  if (text.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/**
 * Decodes standard padded base64 of exactly `bytes` bytes. Node's decoder skips characters it does
 * not know and ignores stray padding bits, so only the canonical encoding is accepted: "malformed"
 * must mean "reject", and one digest must have one spelling.
 */
export function decodeBase64(text: string, bytes: number): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === text ? decoded : null;
}

/** Constant-time equality that checks lengths first (`timingSafeEqual` throws on a length mismatch). */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A signed unix-seconds timestamp within ±tolerance of now. Both directions: a timestamp from the
 * future is as much a replay vector as a stale one when clocks are NTP-synchronised.
 */
export function checkTimestamp(text: string, options: FormOptions): VerifyResult {
  if (!/^\d{1,12}$/.test(text)) return reject(400, 'malformed timestamp');
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(text)) > tolerance) return reject(401, 'timestamp outside tolerance');
  return ACCEPTED;
}

export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
