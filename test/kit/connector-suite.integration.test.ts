import { describe, expect, it } from 'vitest';
import { ConnectorConfigError, type Connector, type ConnectorInstance, type EventBatch } from '../../connectors/kit/index.ts';
import { contractChecks, type ConnectorContractOptions, type ContractCheck } from '../contract/connector-suite.ts';
import { lumen } from './sample/connector.ts';
import { startLumenEmulator, type LumenControl } from './sample/emulator.ts';

// The contract suite must be able to fail: each check is run against a connector broken in the one
// way that check exists to catch.

const base: ConnectorContractOptions<LumenControl> = {
  connector: lumen,
  start: () => startLumenEmulator({ workers: 23 }),
  entities: [{ entity: 'workers', expectedCount: 23, pageSize: 5 }],
  incremental: {
    entity: 'workers',
    change: async (handle) => {
      const since = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      handle.control.touch(['wk_0004']);
      return { since, changedIds: ['wk_0004'] };
    },
  },
  fetchByIds: { missingId: 'wk_9999' },
  push: {
    entity: 'workers',
    create: () => ({ body: { name: 'Ana Lucía', email: 'ana.lucia@example.com' } }),
    expectCreated: { name: 'Ana Lucía' },
    update: () => ({ body: { name: 'Ana Lucía Ortega' } }),
    expectUpdated: { name: 'Ana Lucía Ortega' },
  },
  webhook: { sample: (handle) => handle.control.webhookFor('wk_0002'), secret: (handle) => handle.credentials['webhookSecret'] ?? '' },
  events: {
    trigger: async (handle) => {
      handle.control.touch(['wk_0005']);
      return [{ entity: 'workers', externalId: 'wk_0005' }];
    },
  },
  faults: {
    rateLimitBurst: (handle, count) => handle.control.faults.rateLimit(count),
    serverErrorBurst: (handle, count) => handle.control.faults.serverError(count),
  },
  // Keep the 429 check quick: the sample emulator sends Retry-After: 1.
  http: { retry: { retryAfterPadMs: 0 } },
};

/** The sample connector with some of its instance's methods replaced. */
function broken(change: (inner: ConnectorInstance) => Partial<ConnectorInstance>): Connector {
  return { manifest: lumen.manifest, create: (ctx) => {
    const inner = lumen.create(ctx);
    return { ...inner, ...change(inner) };
  } };
}

async function outcome(options: ConnectorContractOptions<LumenControl>, check: ContractCheck): Promise<'passed' | 'failed'> {
  const item = contractChecks(options).find((candidate) => candidate.check === check);
  if (item?.run === undefined) throw new Error(`${check} does not run`);
  try {
    await item.run();
    return 'passed';
  } catch {
    return 'failed';
  }
}

describe('the contract suite catches broken connectors', () => {
  it('passes the sample connector on every check (the baseline for the cases below)', async () => {
    for (const item of contractChecks(base)) {
      expect(item.run, item.title).toBeDefined();
      await item.run?.();
    }
  });

  it.each<[string, ContractCheck, (inner: ConnectorInstance) => Partial<ConnectorInstance>]>([
    ['a page repeated', 'pull', (inner) => ({
      pullPage: async (request) => {
        const page = await inner.pullPage(request);
        return request.cursor === null ? page : { ...page, records: [...page.records, ...page.records.slice(0, 1)] };
      },
    })],
    ['the last pages dropped', 'pull', (inner) => ({ pullPage: async (request) => ({ ...(await inner.pullPage(request)), next: null }) })],
    ['`since` ignored', 'incremental', (inner) => ({ pullPage: (request) => inner.pullPage({ ...request, since: null }) })],
    ['an unknown id makes fetchByIds throw', 'fetchByIds', (inner) => ({
      fetchByIds: async (entity, ids) => {
        const found = await inner.fetchByIds(entity, ids);
        if (found.length < ids.length) throw new Error('missing');
        return found;
      },
    })],
    ['updates silently dropped', 'push', (inner) => ({ push: async (request) => (request.op === 'update' ? { externalId: request.externalId ?? '' } : inner.push(request)) })],
    ['every webhook accepted', 'webhook', () => ({ verifyWebhook: () => ({ ok: true }) })],
    ['events delivered again on the next poll', 'events', (inner) => {
      let first: Promise<EventBatch> | undefined;
      return { pollEvents: (again) => (again === undefined ? (first ??= inner.pollEvents?.() ?? Promise.reject(new Error('no events'))) : inner.pollEvents?.(again) ?? Promise.reject(new Error('no events'))) };
    }],
    ['refused credentials swallowed', 'auth', (inner) => ({
      pullPage: async (request) => {
        try {
          return await inner.pullPage(request);
        } catch (err: unknown) {
          if (err instanceof ConnectorConfigError) return { records: [], next: null };
          throw err;
        }
      },
    })],
  ])('fails a connector with %s (%s check)', async (_label, check, change) => {
    expect(await outcome({ ...base, connector: broken(change) }, check)).toBe('failed');
  });

  it('fails the fault checks when the client does not retry', async () => {
    const noRetries = { ...base, http: { retry: { maxRetries: 0 } } };
    expect(await outcome(noRetries, 'rateLimit')).toBe('failed');
    expect(await outcome(noRetries, 'serverErrors')).toBe('failed');
  });

  it('fails a pull whose expected count is wrong, and a manifest that does not declare the entity', async () => {
    expect(await outcome({ ...base, entities: [{ entity: 'workers', expectedCount: 24, pageSize: 5 }] }, 'pull')).toBe('failed');
    expect(await outcome({ ...base, entities: [{ entity: 'placements', expectedCount: 1 }] }, 'manifest')).toBe('failed');
  });

  it('turns missing options into a failing check unless a skip gives a reason', () => {
    const { push: _push, faults: _faults, ...withoutPush } = base;
    const missing = contractChecks(withoutPush);
    expect(missing.find((item) => item.check === 'push')).toMatchObject({ problem: 'provide options.push or skip.push with a reason' });
    const skipped = contractChecks({ ...withoutPush, skip: { push: 'Lumen workers are read-only for partners', rateLimit: '', serverErrors: 'no fault switch yet' } });
    expect(skipped.find((item) => item.check === 'push')).toMatchObject({ skipped: 'Lumen workers are read-only for partners' });
    expect(skipped.find((item) => item.check === 'rateLimit')).toMatchObject({ problem: 'skip.rateLimit needs a written reason' });
    expect(skipped.find((item) => item.check === 'push')?.run).toBeUndefined();
  });
});
