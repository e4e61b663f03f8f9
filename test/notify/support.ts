import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { PortalEventInput } from '../../src/model/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';

/** A real HTTP subscriber on 127.0.0.1 that verifies every delivery with the `standardwebhooks` package. */
export interface Subscriber {
  readonly url: string;
  /** Verified deliveries: the `webhook-id` and the parsed body. */
  readonly received: Array<{ id: string; body: { type: string; data: Record<string, unknown> } }>;
  /** Deliveries whose signature did not verify. */
  readonly rejected: string[];
  /** Every `webhook-id` that arrived, verified or not, in order. */
  readonly seenIds: string[];
  /** What the next requests get: 204, 500, or never answered. */
  mode: 'ok' | 'error' | 'hang';
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSubscriber(secret: string, mode: Subscriber['mode'] = 'ok'): Promise<Subscriber> {
  const verifier = new Webhook(secret);
  const hanging: Array<() => void> = [];
  const sub: Subscriber = {
    url: '',
    received: [],
    rejected: [],
    seenIds: [],
    mode,
    close: async () => {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = String(req.headers[name] ?? '');
      sub.seenIds.push(headers['webhook-id'] ?? '');
      if (sub.mode === 'hang') {
        hanging.push(() => res.destroy());
        return;
      }
      try {
        // Verifies the signature and the timestamp's freshness, exactly as a subscriber would.
        const parsed = verifier.verify(body, headers) as { type: string; data: Record<string, unknown> };
        if (sub.mode === 'error') {
          res.writeHead(500).end('subscriber down');
          return;
        }
        sub.received.push({ id: headers['webhook-id'] ?? '', body: parsed });
        res.writeHead(204).end();
      } catch {
        sub.rejected.push(headers['webhook-id'] ?? '');
        res.writeHead(400).end('bad signature');
      }
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP server: the address is an object
  return Object.assign(sub, { url: `http://127.0.0.1:${port}/hooks` });
}

/** Appends events the way a producer does: in a unit of work. */
export async function appendEvents(store: SqliteStore, events: readonly PortalEventInput[]): Promise<void> {
  await store.unitOfWork(async (tx) => {
    for (const e of events) await tx.events.append(e);
  });
}

export function sampleEvent(i: number, overrides: Partial<PortalEventInput> = {}): PortalEventInput {
  return {
    type: 'invoice.issued', entity: 'invoice', canonicalId: `inv-${i}`, clientId: 'client-1', worksiteId: null, actor: 'system:test',
    data: { number: `INV-${1000 + i}`, payRateCents: 4321, note: 'INTERNAL-NOTE' }, at: '2026-03-02T09:00:00.000Z', ...overrides,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
