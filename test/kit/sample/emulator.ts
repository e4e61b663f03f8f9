import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AddressInfo } from 'node:net';
import { signStandardWebhook } from '../../../connectors/kit/index.ts';
import type { EmulatorHandle } from '../../contract/connector-suite.ts';

/**
 * "Lumen HR", an invented payroll vendor small enough to test the kit and the contract suite end to
 * end: OAuth client credentials, offset pages, an updated-since filter, optimistic locking, a
 * destructive event queue with re-fetch by batch id, Standard Webhooks signatures, fault switches.
 */

export interface Worker {
  id: string;
  name: string;
  email: string;
  updated_at: string;
  version: number;
}

interface Event {
  readonly id: string;
  readonly type: 'worker.created' | 'worker.updated';
  readonly worker_id: string;
}

export interface LumenControl {
  readonly seeded: number;
  /** Edits workers now (new updated_at and version) and queues their events. */
  touch(ids: readonly string[]): void;
  count(): number;
  get(id: string): Worker | undefined;
  /** The next `count` requests answer 429 with Retry-After: 1, or 503. */
  faults: { rateLimit(count: number): void; serverError(count: number): void };
  /** A delivery for a worker as Lumen would POST it to a subscriber. */
  webhookFor(id: string): { body: Buffer; headers: Record<string, string> };
  requests(): number;
}

export const LUMEN_CREDENTIALS = {
  clientId: 'lumen-client-7f3a',
  clientSecret: 'lumen-secret-for-tests-only',
  webhookSecret: 'whsec_bHVtZW4td2ViaG9vay1zZWNyZXQtZm9yLXRlc3Rz',
} as const;


export async function startLumenEmulator(options: { workers?: number } = {}): Promise<EmulatorHandle<LumenControl>> {
  const seeded = options.workers ?? 57;
  const workers = new Map<string, Worker>();
  // Seeded records are older than any `since` a test takes, whatever the machine's date.
  const seedTime = Date.now() - 30 * 86_400_000;
  for (let i = 1; i <= seeded; i += 1) {
    const id = `wk_${String(i).padStart(4, '0')}`;
    workers.set(id, { id, name: `Sample Worker ${i}`, email: `worker${i}@example.com`, updated_at: new Date(seedTime + i * 60_000).toISOString(), version: 1 });
  }
  const tokens = new Set<string>();
  const queue: Event[] = [];
  const batches = new Map<number, Event[]>();
  let nextBatch = 1;
  let nextEvent = 1;
  let nextWorker = seeded + 1;
  let rateLimited = 0;
  let failing = 0;
  let requests = 0;

  const emit = (type: Event['type'], workerId: string): void => {
    queue.push({ id: `ev_${nextEvent}`, type, worker_id: workerId });
    nextEvent += 1;
  };
  const stamp = (worker: Worker): void => {
    worker.updated_at = new Date().toISOString();
    worker.version += 1;
  };

  const app = new Hono();
  app.use('*', async (c, next) => {
    requests += 1;
    if (rateLimited > 0) {
      rateLimited -= 1;
      return c.json({ message: 'Too many requests' }, 429, { 'Retry-After': '1' });
    }
    if (failing > 0) {
      failing -= 1;
      return c.json({ message: 'Service unavailable' }, 503);
    }
    await next();
    return undefined;
  });

  app.post('/oauth/token', async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const creds = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (creds['client_id'] !== LUMEN_CREDENTIALS.clientId || creds['client_secret'] !== LUMEN_CREDENTIALS.clientSecret) {
      return c.json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401);
    }
    const token = `tok_${tokens.size + 1}_${Math.random().toString(36).slice(2)}`;
    tokens.add(token);
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });

  const authorised = (c: Context): boolean => tokens.has((c.req.header('authorization') ?? '').replace(/^Bearer /, ''));

  app.get('/v1/workers', (c) => {
    if (!authorised(c)) return c.json({ message: 'Invalid access token' }, 401);
    const ids = c.req.query('ids');
    if (ids !== undefined) return c.json({ data: ids.split(',').flatMap((id) => workers.get(id) ?? []) });
    const page = Math.max(1, Number(c.req.query('page') ?? 1));
    const per = Math.min(100, Math.max(1, Number(c.req.query('per') ?? 25)));
    const since = c.req.query('updated_since');
    const sinceMs = since === undefined ? null : Date.parse(since);
    if (sinceMs !== null && Number.isNaN(sinceMs)) return c.json({ message: 'updated_since must be ISO-8601' }, 422);
    const listed = [...workers.values()]
      .filter((worker) => sinceMs === null || Date.parse(worker.updated_at) >= sinceMs)
      .sort((a, b) => a.id.localeCompare(b.id));
    const slice = listed.slice((page - 1) * per, page * per);
    const headers: Record<string, string> = { 'X-Total-Count': String(listed.length) };
    if (page * per < listed.length) headers['X-Next-Page'] = String(page + 1);
    return c.json({ data: slice }, 200, headers);
  });

  app.post('/v1/workers', async (c) => {
    if (!authorised(c)) return c.json({ message: 'Invalid access token' }, 401);
    const body = await c.req.json<Partial<Worker>>();
    if (typeof body.name !== 'string' || typeof body.email !== 'string') return c.json({ errors: [{ message: 'name and email are required' }] }, 422);
    const id = `wk_${String(nextWorker).padStart(4, '0')}`;
    nextWorker += 1;
    const worker: Worker = { id, name: body.name, email: body.email, updated_at: new Date().toISOString(), version: 1 };
    workers.set(id, worker);
    emit('worker.created', id);
    return c.json({ data: worker }, 201);
  });

  app.put('/v1/workers/:id', async (c) => {
    if (!authorised(c)) return c.json({ message: 'Invalid access token' }, 401);
    const worker = workers.get(c.req.param('id'));
    if (worker === undefined) return c.json({ message: 'Worker not found' }, 404);
    const body = await c.req.json<Partial<Worker>>();
    if (body.version !== worker.version) return c.json({ message: 'version is stale' }, 409);
    if (typeof body.name === 'string') worker.name = body.name;
    if (typeof body.email === 'string') worker.email = body.email;
    stamp(worker);
    emit('worker.updated', worker.id);
    return c.json({ data: worker });
  });

  app.get('/v1/events', (c) => {
    if (!authorised(c)) return c.json({ message: 'Invalid access token' }, 401);
    const again = c.req.query('batch_id');
    if (again !== undefined) {
      const batch = batches.get(Number(again));
      return batch === undefined ? c.json({ message: 'unknown batch' }, 404) : c.json({ batch_id: Number(again), events: batch });
    }
    const events = queue.splice(0, 100);
    if (events.length === 0) return c.json({ batch_id: null, events: [] });
    const batchId = nextBatch;
    nextBatch += 1;
    batches.set(batchId, events);
    return c.json({ batch_id: batchId, events });
  });

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;

  const control: LumenControl = {
    seeded,
    touch: (ids) => {
      for (const id of ids) {
        const worker = workers.get(id);
        if (worker === undefined) throw new Error(`no worker ${id}`);
        stamp(worker);
        emit('worker.updated', id);
      }
    },
    count: () => workers.size,
    get: (id) => workers.get(id),
    faults: {
      rateLimit: (count) => {
        rateLimited = count;
      },
      serverError: (count) => {
        failing = count;
      },
    },
    webhookFor: (id) => {
      const body = Buffer.from(JSON.stringify({ type: 'worker.updated', data: { id }, sent_at: new Date().toISOString() }));
      const headers = signStandardWebhook(body, LUMEN_CREDENTIALS.webhookSecret, { id: `msg_${id}_${nextEvent}`, timestampSeconds: Math.floor(Date.now() / 1000) });
      return { body, headers };
    },
    requests: () => requests,
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    credentials: { ...LUMEN_CREDENTIALS },
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
