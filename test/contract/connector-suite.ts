import { describe, expect, it } from 'vitest';
import {
  ConnectorConfigError, GuardRegistry, memoryState, parseManifest, signWebhook, silentLogger, WEBHOOK_SCHEMES,
  type ChangeEvent, type Connector, type ConnectorContext, type ConnectorInstance, type ConnectorLogger, type HttpOptions,
  type PageCursor, type PushRequest, type PushResult, type VendorRecord,
} from '../../connectors/kit/index.ts';

/**
 * The shared contract suite: every connector's `<vendor>.contract.test.ts` is one call to
 * `describeConnectorContract`, against its emulator over real HTTP. Each check starts a fresh
 * emulator, so no check sees another's writes or faults. See connectors/README.md.
 */

/** A running emulator, as the suite needs it. */
export interface EmulatorHandle<Control> {
  readonly baseUrl: string;
  /** Credentials the emulator accepts, keyed as the manifest's auth fields. */
  readonly credentials: Readonly<Record<string, string>>;
  /** The emulator's programmatic control (edits, fault switches, counts). */
  readonly control: Control;
  close(): Promise<void>;
}

export interface ContractEntity<Control> {
  /** A vendor entity the manifest declares with `pull: true`. */
  readonly entity: string;
  /** Records a full pull must return: from the seed dataset's counts, not from the emulator's own listing. */
  readonly expectedCount: number | ((handle: EmulatorHandle<Control>) => number);
  readonly pageSize?: number;
  readonly fields?: readonly string[];
}

export interface WebhookSample {
  /** The exact bytes the vendor sends. */
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ContractCheckSkips {
  readonly manifest?: string;
  readonly auth?: string;
  readonly pull?: string;
  readonly incremental?: string;
  readonly fetchByIds?: string;
  readonly push?: string;
  readonly webhook?: string;
  readonly events?: string;
  readonly rateLimit?: string;
  readonly serverErrors?: string;
}
export type ContractCheck = keyof ContractCheckSkips;

export interface ConnectorContractOptions<Control> {
  readonly connector: Connector;
  /** Starts a fresh, seeded emulator on a free port (port 0). Called once per check: keep it fast. */
  readonly start: () => Promise<EmulatorHandle<Control>>;
  /** Entities to page through. The first one is also used by the auth, fetch and fault checks unless they name another. */
  readonly entities: readonly [ContractEntity<Control>, ...Array<ContractEntity<Control>>];
  /** The vendor id of a record. @defaultValue `record.id ?? record.uuid`, as a string */
  readonly idOf?: (entity: string, record: VendorRecord) => string;
  /** Credentials the emulator refuses. @defaultValue every secret credential except webhook secrets, with `-wrong` appended */
  readonly badCredentials?: (good: Readonly<Record<string, string>>) => Record<string, string>;
  readonly incremental?: {
    readonly entity: string;
    /** Changes records in the emulator; returns a `since` taken before the change and the ids changed. */
    change(handle: EmulatorHandle<Control>): Promise<{ readonly since: string; readonly changedIds: readonly string[] }>;
  };
  readonly fetchByIds?: {
    /** @defaultValue the first entity */
    readonly entity?: string;
    /** An id that does not exist: `fetchByIds` must leave it out, not throw. */
    readonly missingId?: string;
  };
  readonly push?: {
    readonly entity: string;
    /** Where the pushed record is read back from. @defaultValue `entity` */
    readonly readBackEntity?: string;
    create(handle: EmulatorHandle<Control>): PushInput;
    /** Fields the read-back record must have after the create. */
    readonly expectCreated: Readonly<Record<string, unknown>>;
    update(created: PushResult, readBack: VendorRecord, handle: EmulatorHandle<Control>): PushInput;
    readonly expectUpdated: Readonly<Record<string, unknown>>;
  };
  readonly webhook?: {
    /** A delivery as the vendor sends it: body bytes and signed headers. */
    sample(handle: EmulatorHandle<Control>): WebhookSample | Promise<WebhookSample>;
    /** The signing secret, so the suite can also forge wrong-secret and stale-timestamp variants. */
    secret?(handle: EmulatorHandle<Control>): string;
    /** More deliveries that must be refused. */
    bad?(sample: WebhookSample): readonly { readonly label: string; readonly body: Buffer; readonly headers: Readonly<Record<string, string>> }[];
    /** What `parseWebhook` must find in the sample (subset match, in order). */
    readonly expectEvents?: readonly Partial<ChangeEvent>[];
  };
  readonly events?: {
    /** Makes changes the vendor reports as events; returns which records changed. */
    trigger(handle: EmulatorHandle<Control>): Promise<readonly { readonly entity: string; readonly externalId: string }[]>;
  };
  /** The emulator's fault switches: the next `count` requests answer 429 (short Retry-After), or 5xx. */
  readonly faults?: {
    rateLimitBurst(handle: EmulatorHandle<Control>, count: number): void | Promise<void>;
    serverErrorBurst(handle: EmulatorHandle<Control>, count: number): void | Promise<void>;
    /** @defaultValue the first entity */
    readonly entity?: string;
  };
  /** Merged over the suite's fast retry settings. */
  readonly http?: HttpOptions;
  readonly logger?: ConnectorLogger;
  /** A reason for each check that does not apply; a check with neither options nor a reason fails. */
  readonly skip?: ContractCheckSkips;
  /** Per check. @defaultValue 60_000 */
  readonly timeoutMs?: number;
}

export interface PushInput {
  readonly body: VendorRecord;
  /** References the hub would resolve (`related` on the push request). */
  readonly related?: NonNullable<PushRequest['related']>;
  /** Link bookkeeping; on update it is merged over the create result's `meta`. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Retries fast enough for a test run; everything else as in production. */
const SUITE_HTTP: HttpOptions = { timeoutMs: 10_000, retry: { maxRetries: 5, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 5_000, retryAfterPadMs: 50 } };
const FAULT_BURST = 3;

let contexts = 0;

/** Starts an emulator and a connector instance on it for the current check. */
type Session<Control> = (
  credentials?: (handle: EmulatorHandle<Control>) => Record<string, string>,
) => Promise<{ handle: EmulatorHandle<Control>; instance: ConnectorInstance }>;

/** One check of the suite: runnable, skipped with a reason, or missing its options. */
export interface ContractCheckCase {
  readonly check: ContractCheck;
  readonly title: string;
  /** Present when the check runs. */
  readonly run?: () => Promise<void>;
  /** The written reason, when skipped. */
  readonly skipped?: string;
  /** Why the check cannot run: options missing and no skip reason given (the check fails). */
  readonly problem?: string;
}

/** Registers the suite with vitest: one `it` per check, inside one `describe`. */
export function describeConnectorContract<Control>(options: ConnectorContractOptions<Control>): void {
  describe(`${options.connector.manifest.id} connector contract`, () => {
    for (const item of contractChecks(options)) {
      if (item.skipped !== undefined) it.skip(`${item.title} — skipped: ${item.skipped}`, () => undefined);
      else if (item.run !== undefined) it(item.title, item.run, options.timeoutMs ?? 60_000);
      else it(item.title, () => expect.fail(item.problem ?? 'no check body'));
    }
  });
}

/**
 * The checks as plain async functions (each throws on failure), so the suite's own tests can run
 * them against broken connectors and see them fail.
 */
export function contractChecks<Control>(options: ConnectorContractOptions<Control>): ContractCheckCase[] {
  const { connector } = options;
  const manifest = connector.manifest;
  const firstEntity = options.entities[0].entity;
  const idOf = options.idOf ?? defaultIdOf;
  const cases: ContractCheckCase[] = [];

  /** Fresh emulators and instances for one check, all closed when it ends. */
  function scoped(body: (session: Session<Control>) => Promise<void>): () => Promise<void> {
    return async () => {
      const closers: Array<() => Promise<void>> = [];
      const session: Session<Control> = async (credentials) => {
        const handle = await options.start();
        closers.push(() => handle.close());
        const instance = connector.create(contextFor(handle, credentials?.(handle) ?? { ...handle.credentials }));
        closers.push(async () => {
          await instance.close?.();
        });
        return { handle, instance };
      };
      try {
        await body(session);
      } finally {
        for (const close of closers.reverse()) await close();
      }
    };
  }

  function contextFor(handle: EmulatorHandle<Control>, credentials: Record<string, string>): ConnectorContext {
    contexts += 1;
    const http: HttpOptions = { ...SUITE_HTTP, ...options.http, retry: { ...SUITE_HTTP.retry, ...options.http?.retry }, guards: new GuardRegistry() };
    return { systemId: `${manifest.id}-contract-${contexts}`, baseUrl: handle.baseUrl, credentials, state: memoryState(), http, logger: options.logger ?? silentLogger };
  }

  async function pullAll(instance: ConnectorInstance, entity: ContractEntity<Control> | string, since: string | null = null): Promise<{ ids: string[]; pages: number; total?: number }> {
    const spec = typeof entity === 'string' ? { entity } : entity;
    const ids: string[] = [];
    let cursor: PageCursor | null = null;
    let pages = 0;
    let total: number | undefined;
    do {
      const page = await instance.pullPage({
        entity: spec.entity, since, cursor,
        ...('pageSize' in spec && spec.pageSize !== undefined ? { pageSize: spec.pageSize } : {}),
        ...('fields' in spec && spec.fields !== undefined ? { fields: spec.fields } : {}),
      });
      pages += 1;
      total ??= page.total;
      for (const record of page.records) ids.push(idOf(spec.entity, record));
      // Cursors travel through a queue as JSON: continue from the round-tripped copy.
      cursor = page.next === null ? null : (JSON.parse(JSON.stringify(page.next)) as PageCursor);
      if (pages > 100_000) throw new Error(`${spec.entity}: pagination does not end`);
    } while (cursor !== null);
    return { ids, pages, ...(total === undefined ? {} : { total }) };
  }

  function check(name: ContractCheck, title: string, ready: boolean, body: (session: Session<Control>) => Promise<void>): void {
    const reason = options.skip?.[name];
    if (reason !== undefined && reason.trim() !== '') cases.push({ check: name, title, skipped: reason });
    else if (reason !== undefined) cases.push({ check: name, title, problem: `skip.${name} needs a written reason` });
    else if (!ready) cases.push({ check: name, title, problem: `provide options.${name} or skip.${name} with a reason` });
    else cases.push({ check: name, title, run: scoped(body) });
  }

  check('manifest', 'the manifest parses and declares what the suite exercises', true, async () => {
    expect(() => parseManifest(manifest)).not.toThrow();
    const declared = new Map(manifest.entities.map((entity) => [entity.name, entity]));
    for (const { entity } of options.entities) expect(declared.get(entity)?.pull, `${entity} declared with pull`).toBe(true);
    if (options.incremental !== undefined) expect(declared.get(options.incremental.entity)?.incremental, 'incremental entity declared incremental').toBe(true);
    if (options.push !== undefined) expect(declared.get(options.push.entity)?.push ?? []).toEqual(expect.arrayContaining(['create', 'update']));
  });

  check('auth', 'authenticates, and bad credentials give a ConnectorConfigError', true, async (session) => {
    const good = await session();
    await expect(good.instance.pullPage({ entity: firstEntity, since: null, cursor: null })).resolves.toHaveProperty('records');
    // Refused when the instance is made (credentials it can tell are unusable) or on the first call.
    const failure = await session((handle) => (options.badCredentials ?? spoilSecrets(manifest))(handle.credentials))
      .then(({ instance }) => instance.pullPage({ entity: firstEntity, since: null, cursor: null }))
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConnectorConfigError);
    expect(String(failure)).not.toMatch(/-wrong/);
  });

  for (const entity of options.entities) {
    check('pull', `a full pull of ${entity.entity} pages through every record exactly once`, true, async (session) => {
      const { handle, instance } = await session();
      const expected = typeof entity.expectedCount === 'number' ? entity.expectedCount : entity.expectedCount(handle);
      const { ids, total } = await pullAll(instance, entity);
      expect(duplicates(ids), 'duplicate ids').toEqual([]);
      expect(ids).toHaveLength(expected);
      if (total !== undefined) expect(total).toBe(expected);
    });
  }

  check('incremental', 'an incremental pull returns only the records changed since', options.incremental !== undefined, async (session) => {
    const incremental = options.incremental;
    if (incremental === undefined) return;
    const { handle, instance } = await session();
    const { since, changedIds } = await incremental.change(handle);
    expect(changedIds.length, 'change() must change something').toBeGreaterThan(0);
    const { ids } = await pullAll(instance, incremental.entity, since);
    expect(duplicates(ids)).toEqual([]);
    expect([...ids].sort()).toEqual([...changedIds].map(String).sort());
  });

  check('fetchByIds', 'fetchByIds returns the records asked for, and leaves out unknown ids', true, async (session) => {
    const entity = options.fetchByIds?.entity ?? firstEntity;
    const { instance } = await session();
    const page = await instance.pullPage({ entity, since: null, cursor: null });
    const ids = page.records.map((record) => idOf(entity, record));
    const wanted = [...new Set([ids[0], ids[Math.floor(ids.length / 2)], ids.at(-1)])].filter((id): id is string => id !== undefined);
    expect(wanted.length, `${entity} has records to fetch`).toBeGreaterThan(0);
    const fetched = await instance.fetchByIds(entity, wanted);
    expect(fetched.map((record) => idOf(entity, record)).sort()).toEqual([...wanted].sort());
    const missing = options.fetchByIds?.missingId;
    if (missing !== undefined) {
      const some = await instance.fetchByIds(entity, [missing, ...wanted.slice(0, 1)]);
      expect(some.map((record) => idOf(entity, record))).toEqual(wanted.slice(0, 1));
    }
  });

  check('push', 'a pushed create and update read back as sent', options.push !== undefined, async (session) => {
    const push = options.push;
    if (push === undefined) return;
    const { handle, instance } = await session();
    const readBackEntity = push.readBackEntity ?? push.entity;
    const createInput = push.create(handle);
    const created = await instance.push(pushRequest(createInput, {
      entity: push.entity, op: 'create', idempotencyKey: 'contract-create-1', body: createInput.body, meta: createInput.meta ?? {},
    }));
    expect(created.externalId).toMatch(/\S/);
    const [afterCreate, ...extra] = await instance.fetchByIds(readBackEntity, [created.externalId]);
    expect(extra).toHaveLength(0);
    expect(afterCreate).toMatchObject(push.expectCreated);
    if (afterCreate === undefined) return;
    const updateInput = push.update(created, afterCreate, handle);
    const updated = await instance.push(pushRequest(updateInput, {
      entity: push.entity, op: 'update', externalId: created.externalId, idempotencyKey: 'contract-update-1', body: updateInput.body,
      meta: { ...created.meta, ...updateInput.meta },
    }));
    expect(updated.externalId).toBe(created.externalId);
    const [afterUpdate] = await instance.fetchByIds(readBackEntity, [created.externalId]);
    expect(afterUpdate).toMatchObject(push.expectUpdated);
  });

  const webhook = manifest.webhook;
  if (webhook !== undefined && webhook.scheme !== 'none') {
    const scheme = webhook.scheme;
    check('webhook', 'webhook verification accepts the vendor\'s signature and refuses anything else', options.webhook !== undefined, async (session) => {
      const spec = options.webhook;
      if (spec === undefined) return;
      const { handle, instance } = await session();
      expect(typeof instance.verifyWebhook, 'verifyWebhook').toBe('function');
      expect(typeof instance.parseWebhook, 'parseWebhook').toBe('function');
      const verify = (body: Buffer, headers: Readonly<Record<string, string>>): ReturnType<NonNullable<ConnectorInstance['verifyWebhook']>> =>
        instance.verifyWebhook?.(body, headers) ?? { ok: false, status: 401, reason: 'no verifier' };
      const sample = await spec.sample(handle);
      expect(verify(sample.body, sample.headers)).toEqual({ ok: true });

      const events = instance.parseWebhook?.(sample.body, sample.headers) ?? [];
      expect(events.length).toBeGreaterThan(0);
      if (spec.expectEvents !== undefined) expect(events).toMatchObject(spec.expectEvents);

      const tampered = Buffer.from(sample.body);
      tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 0x20;
      const info = WEBHOOK_SCHEMES[scheme];
      const unsigned = Object.fromEntries(Object.entries(sample.headers).filter(([name]) => name.toLowerCase() !== info.signatureHeader.toLowerCase()));
      const variants = [
        { label: 'one byte changed', body: tampered, headers: sample.headers },
        { label: 'no signature header', body: sample.body, headers: unsigned },
        ...forged(scheme, sample, spec.secret?.(handle)),
        ...(spec.bad?.(sample) ?? []),
      ];
      for (const variant of variants) {
        const result = verify(variant.body, variant.headers);
        expect(result.ok, variant.label).toBe(false);
        if (!result.ok) expect([400, 401], variant.label).toContain(result.status);
      }
    });
  }

  if (manifest.events !== undefined) {
    check('events', 'events poll once, re-poll by batch id, and are not delivered twice', options.events !== undefined, async (session) => {
      const spec = options.events;
      if (spec === undefined) return;
      const { handle, instance } = await session();
      expect(typeof instance.pollEvents, 'pollEvents').toBe('function');
      if (instance.pollEvents === undefined) return;
      const changes = await spec.trigger(handle);
      expect(changes.length, 'trigger() must cause events').toBeGreaterThan(0);
      const batch = await instance.pollEvents();
      const seen = new Set(batch.events.map((event) => `${event.entity}:${event.externalId}`));
      for (const change of changes) expect(seen.has(`${change.entity}:${change.externalId}`), `event for ${change.entity} ${change.externalId}`).toBe(true);
      expect(duplicates(batch.events.map((event) => event.eventId))).toEqual([]);
      const entityNames = new Set(manifest.entities.map((entity) => entity.name));
      for (const event of batch.events) expect(entityNames.has(event.entity), `event entity ${event.entity} is in the manifest`).toBe(true);
      if (batch.batchId !== null) {
        const again = await instance.pollEvents(batch.batchId);
        expect(again.events.map((event) => event.eventId)).toEqual(batch.events.map((event) => event.eventId));
      }
      // The hub tells the connector the last batch it wrote to its inbox: a queue that keeps a
      // message until it is acknowledged (ADP) acknowledges it then.
      const next = batch.batchId === null ? await instance.pollEvents() : await instance.pollEvents(undefined, batch.batchId);
      const delivered = new Set(batch.events.map((event) => event.eventId));
      expect(next.events.filter((event) => delivered.has(event.eventId))).toEqual([]);
    });
  }

  const faultEntity = options.entities.find((entity) => entity.entity === (options.faults?.entity ?? firstEntity)) ?? options.entities[0];
  check('rateLimit', 'a 429 burst is waited out: the pull completes with every record once', options.faults !== undefined, async (session) => {
    const faults = options.faults;
    if (faults === undefined) return;
    const { handle, instance } = await session();
    const expected = typeof faultEntity.expectedCount === 'number' ? faultEntity.expectedCount : faultEntity.expectedCount(handle);
    await faults.rateLimitBurst(handle, FAULT_BURST);
    const { ids } = await pullAll(instance, faultEntity);
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toHaveLength(expected);
    const stats = instance.requestStats?.();
    if (stats !== undefined) expect(stats.rateLimited).toBeGreaterThan(0);
  });

  check('serverErrors', 'a 5xx burst is retried: the pull completes with every record once', options.faults !== undefined, async (session) => {
    const faults = options.faults;
    if (faults === undefined) return;
    const { handle, instance } = await session();
    const expected = typeof faultEntity.expectedCount === 'number' ? faultEntity.expectedCount : faultEntity.expectedCount(handle);
    await faults.serverErrorBurst(handle, FAULT_BURST);
    const { ids } = await pullAll(instance, faultEntity);
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toHaveLength(expected);
    const stats = instance.requestStats?.();
    if (stats !== undefined) expect(stats.retries).toBeGreaterThan(0);
  });

  return cases;
}

function pushRequest(input: PushInput, request: PushRequest): PushRequest {
  return input.related === undefined ? request : { ...request, related: input.related };
}

function defaultIdOf(_entity: string, record: VendorRecord): string {
  const id = record['id'] ?? record['uuid'];
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error('record has no id or uuid: pass options.idOf');
  return String(id);
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

/** Every secret the vendor checks on API calls made wrong; webhook secrets stay (they are not sent to the vendor). */
function spoilSecrets(manifest: Connector['manifest']): (good: Readonly<Record<string, string>>) => Record<string, string> {
  const webhookSecrets = new Set(manifest.webhook?.secretFields ?? []);
  const secret = new Set(manifest.auth.fields.filter((field) => field.secret && !webhookSecrets.has(field.key)).map((field) => field.key));
  return (good) => Object.fromEntries(Object.entries(good).map(([key, value]) => [key, secret.has(key) ? `${value}-wrong` : value]));
}

/** Wrong-secret and (for schemes that sign one) stale-timestamp copies of a good delivery. */
function forged(scheme: keyof typeof WEBHOOK_SCHEMES, sample: WebhookSample, secret: string | undefined): Array<{ label: string; body: Buffer; headers: Record<string, string> }> {
  const info = WEBHOOK_SCHEMES[scheme];
  const lower = Object.fromEntries(Object.entries(sample.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const id = info.idHeader === undefined ? undefined : lower[info.idHeader.toLowerCase()];
  const timestamp = Number(
    info.timestampHeader === undefined ? /t=(\d+)/.exec(lower[info.signatureHeader.toLowerCase()] ?? '')?.[1] : lower[info.timestampHeader.toLowerCase()],
  );
  const nowSeconds = Number.isFinite(timestamp) && timestamp > 0 ? timestamp : Math.floor(Date.now() / 1000);
  // Standard Webhooks secrets must be whsec_ + base64; any other scheme takes any string.
  const wrongSecret = scheme === 'standard-webhooks' ? `whsec_${Buffer.from('not-the-secret').toString('base64')}` : 'not-the-secret';
  const resign = (key: string, timestampSeconds: number): Record<string, string> => ({
    ...withoutSignatureHeaders(sample.headers, info),
    ...signWebhook(scheme, sample.body, key, { ...(id === undefined ? {} : { id }), timestampSeconds }),
  });
  const variants = [{ label: 'signed with another secret', body: sample.body, headers: resign(wrongSecret, nowSeconds) }];
  if (secret !== undefined && info.timestampSigned) {
    variants.push({ label: 'timestamp 10 min old', body: sample.body, headers: resign(secret, Math.floor(Date.now() / 1000) - 600) });
    variants.push({ label: 'timestamp 10 min ahead', body: sample.body, headers: resign(secret, Math.floor(Date.now() / 1000) + 600) });
  }
  return variants;
}

function withoutSignatureHeaders(headers: Readonly<Record<string, string>>, info: (typeof WEBHOOK_SCHEMES)[keyof typeof WEBHOOK_SCHEMES]): Record<string, string> {
  const drop = new Set([info.signatureHeader, info.timestampHeader, info.idHeader].filter((name): name is string => name !== undefined).map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name.toLowerCase())));
}
