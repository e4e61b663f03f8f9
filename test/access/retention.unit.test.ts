import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/access/retention.ts';
import type { AuditEvent } from '../../src/store/index.ts';
import { countRows, openTempStore, type TempStore } from '../support/temp-store.ts';

const event = (id: string, at: string): AuditEvent => ({
  id, at, actorType: 'anonymous', actorId: null, onBehalfOf: null, action: 'session.sign_in', targetType: null, targetId: null,
  outcome: 'failure', reason: null, credential: null, ip: null, userAgent: null, requestId: null,
});

describe('access retention', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => t.dispose());

  it('purges audit events and idempotent answers past their retention, and keeps the rest', async () => {
    await t.store.repos.audit.append([event('old', '2025-01-01T00:00:00.000Z'), event('new', '2026-12-01T00:00:00.000Z')]);
    await t.store.unitOfWork(async (tx) => {
      await tx.idempotency.claim({ scopeKey: 'a|1', method: 'POST', path: '/x', bodyHash: 'h', createdAt: '2026-12-05T00:00:00.000Z' });
      await tx.idempotency.complete('a|1', 201, '{}', 'application/json');
      await tx.idempotency.claim({ scopeKey: 'a|2', method: 'POST', path: '/x', bodyHash: 'h', createdAt: '2026-12-07T11:00:00.000Z' });
      await tx.idempotency.complete('a|2', 201, '{}', 'application/json');
    });
    const purged = await purgeExpired(t.store, { auditRetentionDays: 400, idempotencyHours: 24 }, new Date('2026-12-07T12:00:00.000Z'));
    expect(purged).toEqual({ audit: 1, idempotency: 1 });
    expect((await t.store.repos.audit.list({ limit: 10 })).map((e) => e.id)).toEqual(['new']);
    expect(countRows(t.store, 'idempotency_keys')).toBe(1);
  });

  it('refuses to rewrite an audit event (append-only)', async () => {
    await t.store.repos.audit.append([event('x', '2026-12-01T00:00:00.000Z')]);
    expect(() => t.store.db.prepare("UPDATE audit_log SET outcome = 'success'").run()).toThrow(/append-only/);
  });
});
