import { createHmac } from 'node:crypto';
import { BENCH_GUSTO_TOKEN } from './receiver.ts';

/**
 * Signed Gusto event deliveries, built before the load starts so the load generator (which shares
 * the two cores with the server) spends its time sending, not signing. Every body has the same
 * length and lives in one slab; a request takes a view of it.
 */
export interface SignedEvent {
  readonly body: Buffer;
  readonly signature: string;
}

export interface EventPool {
  readonly size: number;
  /** Event `i`: from the slab below `size`, built and signed on the spot beyond it. */
  get(i: number): SignedEvent;
  /** The event uuid of delivery `i` (what the inbox stores as event id). */
  uuid(i: number): string;
  /** Deliveries built on the spot because the run outlasted the pool. */
  readonly overflow: number;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function eventUuid(i: number): string {
  return `be0c${hex(Math.floor(i / 2 ** 48), 4)}-0000-4000-8000-${hex(i % 2 ** 48, 12)}`;
}

function eventJson(i: number): string {
  return JSON.stringify({
    uuid: eventUuid(i),
    event_type: 'employee.updated',
    resource_type: 'Company',
    resource_uuid: '7d3c0b8e-4a1f-4e6b-9c25-0f8a1e6d2b94',
    entity_type: 'Employee',
    entity_uuid: `${hex(i % 2 ** 32, 8)}-5e1a-4c3d-8b7f-2a9e6c4d1f03`,
    timestamp: 1_795_000_000 + (i % 1_000_000),
  });
}

function sign(body: Buffer): string {
  return createHmac('sha256', BENCH_GUSTO_TOKEN).update(body).digest('hex');
}

export function buildPool(size: number): EventPool {
  const length = Buffer.byteLength(eventJson(0));
  const slab = Buffer.alloc(length * size);
  const signatures: string[] = new Array<string>(size);
  for (let i = 0; i < size; i++) {
    const written = slab.write(eventJson(i), i * length, 'utf8');
    if (written !== length) throw new Error(`event ${i} is ${written} bytes, not ${length}: the pool needs fixed-length bodies`);
    signatures[i] = sign(slab.subarray(i * length, (i + 1) * length));
  }
  let overflow = 0;
  return {
    size,
    get(i) {
      if (i < size) return { body: slab.subarray(i * length, (i + 1) * length), signature: signatures[i] ?? '' };
      overflow++;
      const body = Buffer.from(eventJson(i));
      return { body, signature: sign(body) };
    },
    uuid: eventUuid,
    get overflow() {
      return overflow;
    },
  };
}
