import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { signGusto, signStandardWebhook, verifyGusto, verifyStandardWebhook } from '../../connectors/kit/index.ts';
import { StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { createCounters, type HttpCounters, type HttpLogger } from '../../src/http/deps.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { mountWebhooks, type WebhookReceiver } from '../../src/http/webhooks.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { countRows, tempDir } from '../support/temp-store.ts';

/*
 * The webhook route on its own: a hono app from createApp with mountWebhooks over a temp SQLite
 * store, served on a free port, with two receivers built from the kit's verifiers and a small
 * Gusto-style parser. No connector is involved: what is under test is the route.
 */

/** Gusto-style: the verification token keys a bare hex HMAC of the body. Invented for tests. */
export const GUSTO_TOKEN = 'b7c41e0a-test-verification-token-5d2f';
/** Standard Webhooks: `whsec_` + base64 of the key bytes. Invented for tests. */
export const STD_SECRET = `whsec_${Buffer.from('crosswalk-h13-standard-webhooks-test-key').toString('base64')}`;
export const TOLERANCE_SECONDS = 300;
export const DEFAULT_LIMIT = 1_048_576;

/** The body both receivers read: what a Gusto event delivery carries. */
const EventBody = z.looseObject({
  uuid: z.string().min(1),
  event_type: z.string().min(1),
  entity_type: z.string().min(1),
  entity_uuid: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
});

/** Like a real connector: a parse error names what is wrong, never the body's content. */
function readEvent(raw: Buffer): z.infer<typeof EventBody> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error('the body is not JSON');
  }
  const event = EventBody.safeParse(json);
  if (!event.success) throw new Error(`not an event: ${event.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.code}`).join('; ')}`);
  return event.data;
}

export function eventUuid(n: number, salt = 0): string {
  return `0e1f${salt.toString(16).padStart(4, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A Gusto-style event body, serialised once: these exact bytes are what gets signed. */
export function eventBody(n: number, extra: Record<string, unknown> = {}, salt = 0): Buffer {
  return Buffer.from(
    JSON.stringify({
      uuid: eventUuid(n, salt),
      event_type: 'employee.updated',
      resource_type: 'Company',
      resource_uuid: '5a0c9e21-7d4b-4c1e-9f30-2b8e6d1a4c77',
      entity_type: 'Employee',
      entity_uuid: `e${n.toString(16).padStart(7, '0')}-6c2b-4e8d-a1f3-9d7e5b3c1a20`,
      timestamp: 1_795_000_000 + n,
      ...extra,
    }),
  );
}

export function gustoHeaders(body: Buffer | string, token = GUSTO_TOKEN): Record<string, string> {
  return { 'content-type': 'application/json', ...signGusto(body, token) };
}

export function stdHeaders(body: Buffer | string, id: string, timestampSeconds: number, secret = STD_SECRET): Record<string, string> {
  return { 'content-type': 'application/json', ...signStandardWebhook(body, secret, { id, timestampSeconds }) };
}

/** A clock the Standard Webhooks verifier reads; tests move it to replay deliveries "later". */
export interface TestClock {
  ms: number;
  seconds(): number;
}

export interface Calls {
  verify: number;
  parse: number;
  /** Milliseconds spent in each verify call, measured around the verifier in this process. */
  readonly verifyMs: number[];
}

function instrument(receiver: WebhookReceiver, calls: Calls): WebhookReceiver {
  return {
    verify(raw, headers) {
      calls.verify++;
      const t0 = performance.now();
      try {
        return receiver.verify(raw, headers);
      } finally {
        calls.verifyMs.push(performance.now() - t0);
      }
    },
    parse(raw, headers) {
      calls.parse++;
      return receiver.parse(raw, headers);
    },
  };
}

/** The two systems every test can post to: `gusto` (no signed timestamp) and `std` (Standard Webhooks). */
export function receivers(clock: TestClock): Record<'gusto' | 'std', WebhookReceiver> {
  return {
    gusto: {
      verify: (raw, headers) => verifyGusto(raw, headers, { secrets: [GUSTO_TOKEN] }),
      parse: (raw) => {
        const e = readEvent(raw);
        return [{ eventId: e.uuid, entity: e.entity_type, externalId: e.entity_uuid }];
      },
    },
    std: {
      verify: (raw, headers) => verifyStandardWebhook(raw, headers, { secrets: [STD_SECRET], now: () => clock.ms, toleranceSeconds: TOLERANCE_SECONDS }),
      // The scheme's delivery id is the dedupe key: a resend carries the same `webhook-id`.
      parse: (raw, headers) => {
        const e = readEvent(raw);
        const id = headers['webhook-id'];
        if (id === undefined || id === '') throw new Error('missing webhook-id');
        return [{ eventId: id, entity: e.entity_type, externalId: e.entity_uuid }];
      },
    },
  };
}

/** Everything the route's logger wrote, as text: for the PII canary test. */
export interface MemoryLog {
  readonly stream: Writable;
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

export function memoryLog(): MemoryLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () => text().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface CapturedLog extends HttpLogger {
  readonly lines: Array<{ level: 'error' | 'warn'; obj: object; msg: string }>;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  return { lines, error: (obj, msg) => lines.push({ level: 'error', obj, msg }), warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }) };
}

export interface HarnessOptions {
  /** @defaultValue 1 MiB, the configured default */
  readonly bodyLimit?: number;
  /** @defaultValue records the call and resolves */
  readonly enqueue?: (system: string, inboxId: string) => Promise<void>;
  /** SQLite busy timeout of the route's store. @defaultValue 10_000 (the store's default) */
  readonly busyTimeoutMs?: number;
  /** The route's and the app's logger. @defaultValue a capturing logger (`harness.log`) */
  readonly log?: HttpLogger;
  readonly enqueueTimeoutMs?: number;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

export interface Harness {
  readonly url: string;
  readonly store: SqliteStore;
  readonly path: string;
  readonly server: ServerHandle;
  readonly counters: HttpCounters;
  readonly clock: TestClock;
  readonly calls: Calls;
  /** Every call the route made to `enqueue`, in order (including ones a custom enqueue rejected). */
  readonly enqueued: Array<{ system: string; inboxId: string }>;
  readonly log: CapturedLog;
  post(system: string, body: Buffer | string, headers: Record<string, string>): Promise<Reply>;
  inboxRows(): number;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const temp = tempDir();
  const path = `${temp.dir}/webhooks.db`;
  const store = SqliteStore.open(path, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const clock: TestClock = {
    ms: Date.now(),
    seconds() {
      return Math.floor(this.ms / 1000);
    },
  };
  const calls: Calls = { verify: 0, parse: 0, verifyMs: [] };
  const byName = receivers(clock);
  const instrumented = { gusto: instrument(byName.gusto, calls), std: instrument(byName.std, calls) };
  const enqueued: Harness['enqueued'] = [];
  const captured = captureLog();
  const log = options.log ?? captured;
  const counters = createCounters();
  const app = createApp({
    store, policy: new StaticPolicy({ inbound: {} }), adminToken: 'h13-admin-token', systems: [], counters, log,
    mount: (a) =>
      mountWebhooks(a, {
        store, counters, log,
        bodyLimit: options.bodyLimit ?? DEFAULT_LIMIT,
        now: () => new Date().toISOString(),
        receiver: (system) => (system === 'gusto' || system === 'std' ? instrumented[system] : null),
        enqueue: async (system, inboxId) => {
          enqueued.push({ system, inboxId });
          if (options.enqueue) await options.enqueue(system, inboxId);
        },
        ...(options.enqueueTimeoutMs === undefined ? {} : { enqueueTimeoutMs: options.enqueueTimeoutMs }),
      }),
  });
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url, store, path, server, counters, clock, calls, enqueued, log: captured,
    async post(system, body, headers) {
      const res = await fetch(`${server.url}/webhooks/${system}`, { method: 'POST', headers, body });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    inboxRows: () => (store.db.open ? countRows(store, 'inbox') : Number.NaN),
    async close() {
      await server.close();
      store.close();
      temp.dispose();
    },
  };
}

/** The error envelope's code and message, or null when the reply is not one. */
export function errorOf(reply: Reply): { code: string; message: string } | null {
  const e = (reply.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string' ? { code: e.code, message: e.message } : null;
}

/** Runs `tasks` with at most `width` in flight. */
export async function inPool<T>(tasks: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      if (task) out[i] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, lane));
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
