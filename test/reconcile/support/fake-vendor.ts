import type { ConnectorInstance, PullPage, PullRequest, VendorRecord } from '../../../connectors/kit/types.ts';
import type { RequestStats } from '../../../connectors/kit/http.ts';

/** Thrown by a broken listing: named like the kit's error so the queue retries it. */
export class FakeOutage extends Error {
  override readonly name = 'TransientError';
}

export interface RequestLogEntry {
  readonly op: 'list' | 'fetch';
  readonly entity: string;
  /** Listing offset, for `list`. */
  readonly start?: number;
  readonly ids?: readonly string[];
}

type Rec = Record<string, unknown> & { id: string };

/**
 * An in-memory vendor with offset paging sorted by numeric id (as Bullhorn's `sort=id` listing),
 * a request log, and the drift switches the emulators have: edits and hard deletes behind the hub's
 * back, a listing that breaks after n pages, a listing that answers empty.
 */
export class FakeVendor {
  readonly log: RequestLogEntry[] = [];
  private readonly tables = new Map<string, Map<string, Rec>>();
  private listingBrokenAfter: number | null = null;
  private listingPagesServed = 0;
  private listingEmpty = false;
  private clock = Date.parse('2026-10-01T00:00:00.000Z');
  /** Runs after each listing page is served: tests delete records mid-listing with it. */
  onPageServed: ((entity: string, start: number) => void) | null = null;

  constructor(readonly pageSize = 3) {}

  private table(entity: string): Map<string, Rec> {
    let t = this.tables.get(entity);
    if (!t) {
      t = new Map();
      this.tables.set(entity, t);
    }
    return t;
  }

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  create(entity: string, record: Record<string, unknown> & { id: string }): void {
    this.table(entity).set(record.id, { updatedAt: this.tick(), ...record });
  }

  edit(entity: string, id: string, patch: Record<string, unknown>): void {
    const existing = this.table(entity).get(id);
    if (!existing) throw new Error(`fake vendor: no ${entity} ${id}`);
    this.table(entity).set(id, { ...existing, ...patch, updatedAt: this.tick() });
  }

  softDelete(entity: string, id: string): void {
    this.edit(entity, id, { isDeleted: true });
  }

  /** The record vanishes: no event, no trace. */
  hardDelete(entity: string, id: string): void {
    if (!this.table(entity).delete(id)) throw new Error(`fake vendor: no ${entity} ${id}`);
  }

  get(entity: string, id: string): Rec | undefined {
    return this.table(entity).get(id);
  }

  all(entity: string): Rec[] {
    return [...this.table(entity).values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  setListingBroken(options: { afterPages: number } | null): void {
    this.listingBrokenAfter = options?.afterPages ?? null;
    this.listingPagesServed = 0;
  }

  setListingEmpty(empty: boolean): void {
    this.listingEmpty = empty;
  }

  listRequests(entity?: string): RequestLogEntry[] {
    return this.log.filter((e) => e.op === 'list' && (entity === undefined || e.entity === entity));
  }

  fetchRequests(entity?: string): RequestLogEntry[] {
    return this.log.filter((e) => e.op === 'fetch' && (entity === undefined || e.entity === entity));
  }

  connector(): ConnectorInstance {
    return {
      pullPage: async (request: PullRequest): Promise<PullPage> => {
        const start = typeof request.cursor?.['start'] === 'number' ? request.cursor['start'] : 0;
        this.log.push({ op: 'list', entity: request.entity, start });
        if (this.listingBrokenAfter !== null && this.listingPagesServed >= this.listingBrokenAfter) {
          throw new FakeOutage(`listing of ${request.entity} failed at offset ${start}`);
        }
        this.listingPagesServed++;
        const rows = this.listingEmpty ? [] : this.all(request.entity);
        const size = request.pageSize ?? this.pageSize;
        const records = rows.slice(start, start + size).map((r) => ({ ...r }));
        const next = start + size < rows.length ? { start: start + size } : null;
        this.onPageServed?.(request.entity, start);
        return { records, next, total: rows.length };
      },
      fetchByIds: async (entity: string, ids: readonly string[]): Promise<VendorRecord[]> => {
        this.log.push({ op: 'fetch', entity, ids: [...ids] });
        return ids.flatMap((id) => {
          const r = this.table(entity).get(id);
          return r ? [{ ...r }] : [];
        });
      },
      push: async () => {
        throw new Error('fake vendor: push is not part of these tests');
      },
      requestStats: (): RequestStats => ({
        requests: this.log.length, retries: 0, rateLimited: 0, authRefreshes: 0, throttledMs: 0, allowed: { requests: 100, windowMs: 1000 },
      }),
    };
  }
}
