import { request as httpRequest } from 'node:http';
import { applyLocalChange, Engine, ownedFields, StaticPolicy, type SyncPolicy } from '../../src/engine/index.ts';
import { createApp, type CrosswalkApp } from '../../src/http/app.ts';
import { createCounters, type HttpCounters, type HttpDeps, type HttpLogger } from '../../src/http/deps.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import type { EntityName } from '../../src/model/index.ts';
import type { FieldMap, SqliteStore } from '../../src/store/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { createUser } from '../../src/access/admin.ts';
import { createApiKey, type NewApiKey } from '../../src/access/credentials/api-keys.ts';
import { newId } from '../../src/lib/ids.ts';
import type { UserRole } from '../../src/store/index.ts';

/** The bootstrap admin token (≥ 32 characters, or it is refused): it only creates the first ops user. */
export const TOKEN = 'test-admin-token-3f9c2a-7d41e08b5c96aa12';
export const T0 = '2026-03-02T09:00:00.000Z';

/**
 * The policy the HTTP tests run under: Bullhorn owns client names and status and shares the phone
 * (so conflicts can happen), the hub pushes phone changes back to Bullhorn, and Gusto (payroll)
 * gets a time entry once it is approved.
 */
export function testPolicy(): SyncPolicy {
  return new StaticPolicy({
    inbound: {
      bullhorn: {
        client: {
          fields: new Map([...ownedFields('bullhorn', ['name', 'status']), ...ownedFields('shared', ['phone'])]),
          match: { byEmail: false, unmatched: 'create' },
        },
      },
    },
    outbound: {
      client: [{ system: 'bullhorn', fields: new Set(['phone']), create: { kind: 'never' } }],
      time_entry: [
        {
          system: 'gusto',
          fields: new Set(['assignmentId', 'workDate', 'regularHours', 'overtimeHours', 'doubleTimeHours', 'status']),
          // As mappings/gusto/time-sheet.yaml: approved and not held after a pay-period cutoff.
          create: { kind: 'when', when: { status: ['approved'], payrollHeldUntil: [null] } },
        },
      ],
    },
  });
}

export interface CapturedLog extends HttpLogger {
  readonly errors: Array<{ obj: object; msg: string }>;
}

export function captureLog(): CapturedLog {
  const errors: Array<{ obj: object; msg: string }> = [];
  return { errors, error: (obj, msg) => errors.push({ obj, msg }), warn: () => undefined };
}

export interface Harness {
  readonly store: SqliteStore;
  readonly app: CrosswalkApp;
  readonly server: ServerHandle;
  readonly url: string;
  readonly log: CapturedLog;
  readonly counters: HttpCounters;
  readonly policy: SyncPolicy;
  /** A ticking clock: every call is one second later, so ordering by time is deterministic. */
  readonly now: () => string;
  /** An API key of an ops_admin user: what `call` sends unless told otherwise. */
  readonly opsKey: string;
  readonly opsUserId: string;
  /** A new API key acting as a contact, a user of a role, or a service. */
  keyFor(owner: { contactId: string } | { userRole: UserRole } | { serviceRole: UserRole }, extra?: Partial<NewApiKey>): Promise<string>;
  call(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary response shapes
}

export async function startHarness(overrides: Partial<HttpDeps> = {}): Promise<Harness> {
  const temp: TempStore = openTempStore();
  let tick = Date.parse(T0);
  const now = () => new Date((tick += 1000)).toISOString();
  const log = captureLog();
  const counters = createCounters();
  const policy = overrides.policy ?? testPolicy();
  const app = createApp({
    store: temp.store, policy, adminToken: TOKEN, systems: [{ id: 'bullhorn', kind: 'ats' }, { id: 'gusto', kind: 'payroll' }],
    now, log, counters, ...overrides,
  });
  const server = await startServer(app, { host: '127.0.0.1', port: 0 });
  const keyFor: Harness['keyFor'] = async (owner, extra = {}) =>
    temp.store.unitOfWork(async (tx) => {
      let ownerKind: NewApiKey['ownerKind'];
      let ownerId: string | null = null;
      let role: UserRole | null = null;
      if ('contactId' in owner) [ownerKind, ownerId] = ['contact', owner.contactId];
      else if ('userRole' in owner) {
        const user = await createUser(tx, { email: `${owner.userRole}-${newId()}@staff.example.test`, role: owner.userRole }, now());
        [ownerKind, ownerId] = ['user', user.id];
      } else [ownerKind, role] = ['service', owner.serviceRole];
      const { key } = await createApiKey(tx, {
        name: 'test', ownerKind, ownerId, role, scopes: ['read', 'write'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test', ...extra,
      }, now());
      return key;
    });
  const ops = await temp.store.unitOfWork(async (tx) => {
    const user = await createUser(tx, { email: 'ops@staff.example.test', role: 'ops_admin' }, now());
    const { key } = await createApiKey(tx, {
      name: 'ops', ownerKind: 'user', ownerId: user.id, role: null, scopes: ['read', 'write'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test',
    }, now());
    return { key, id: user.id };
  });
  return {
    store: temp.store, app, server, url: server.url, log, counters, policy, now, opsKey: ops.key, opsUserId: ops.id, keyFor,
    async call(method, path, options = {}) {
      const token = options.token === undefined ? ops.key : options.token;
      const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      await server.close();
      temp.dispose();
    },
  };
}

/** A raw HTTP/1.1 request, for what fetch will not send: chunked bodies, a body on a GET. */
export function rawRequest(
  url: string,
  options: { method: string; path: string; headers: Record<string, string>; chunks: readonly (string | Buffer)[] },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = httpRequest({ hostname, port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer 413 and stop reading before the client has written everything.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const chunk of options.chunks) req.write(chunk);
    req.end();
  });
}

export interface World {
  clientId: string;
  otherClientId: string;
  worksiteId: string;
  otherWorksiteId: string;
  /** Holds approver and requester at the worksite. */
  approverId: string;
  /** Requester only. */
  requesterId: string;
  /** Approver at the other worksite only. */
  elsewhereApproverId: string;
  /** No role anywhere. */
  plainContactId: string;
  /** An approver at the worksite whose contact is inactive. */
  inactiveApproverId: string;
  /** A contact of the other client. */
  foreignContactId: string;
  candidateId: string;
  assignmentId: string;
  draftEntryId: string;
  submittedEntryIds: string[];
  approvedEntryId: string;
  /** Clients with an open conflict on `phone` from Bullhorn. */
  conflictClientIds: string[];
}

/**
 * A small client world written the way the hub writes it: clients arrive from Bullhorn through the
 * engine, everything else is made through `applyLocalChange` in units of work.
 */
export async function seedWorld(h: Harness): Promise<World> {
  const { store, policy, now } = h;
  const engine = new Engine(store, { policy, now });
  await engine.apply({
    system: 'bullhorn', entity: 'client',
    records: ['BH-1', 'BH-2', 'BH-3', 'BH-4', 'BH-5'].map((externalId, i) => ({
      externalId, sourceModifiedAt: '2026-03-01T08:00:00.000Z', values: { name: `Harbor Tooling ${i + 1}`, status: 'active', phone: `555-010${i}` },
    })),
  });
  const links = await store.repos.links.getMany('bullhorn', 'client', ['BH-1', 'BH-2', 'BH-3', 'BH-4', 'BH-5']);
  const clientOf = (ext: string) => {
    const id = links.get(ext)?.canonicalId;
    if (!id) throw new Error(`client ${ext} was not created`);
    return id;
  };

  const make = (entity: EntityName, changes: FieldMap) =>
    store.unitOfWork(async (tx) => (await applyLocalChange(tx, policy, { entity, changes, actor: 'seed' }, now())).canonicalId);

  const clientId = clientOf('BH-1');
  const otherClientId = clientOf('BH-2');
  const site = (client: string, name: string) =>
    make('worksite', { clientId: client, name, status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
  const worksiteId = await site(clientId, 'North Plant');
  const otherWorksiteId = await site(clientId, 'South Plant');
  const foreignWorksiteId = await site(otherClientId, 'Riverside Yard');
  const contact = (client: string, first: string, status = 'active') =>
    make('contact', { clientId: client, firstName: first, lastName: 'Okafor', email: null, phone: null, title: null, status });
  const approverId = await contact(clientId, 'Mira');
  const requesterId = await contact(clientId, 'Tobias');
  const elsewhereApproverId = await contact(clientId, 'Lena');
  const plainContactId = await contact(clientId, 'Sven');
  const inactiveApproverId = await contact(clientId, 'Ada', 'inactive');
  const foreignContactId = await contact(otherClientId, 'Ravi');
  const role = (contactId: string, worksite: string, r: string) => make('contact_worksite_role', { contactId, worksiteId: worksite, role: r });
  await role(approverId, worksiteId, 'approver');
  await role(approverId, worksiteId, 'requester');
  await role(requesterId, worksiteId, 'requester');
  await role(elsewhereApproverId, otherWorksiteId, 'approver');
  await role(inactiveApproverId, worksiteId, 'approver');
  await role(foreignContactId, foreignWorksiteId, 'requester');

  const candidateId = await make('candidate', {
    firstName: 'Noor', lastName: 'Lindqvist', email: null, phone: null, city: null, state: null, status: 'placed', employeeType: 'w2',
  });
  const assignmentId = await make('assignment', {
    candidateId, requisitionId: null, worksiteId, approverContactId: approverId, title: 'Machine operator', startDate: '2026-02-02', endDate: null, status: 'active',
  });
  const entry = (workDate: string, status: string, extra: FieldMap = {}) =>
    make('time_entry', {
      assignmentId, workDate, regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status, approvedById: null, approvedAt: null, note: null, ...extra,
    });
  const draftEntryId = await entry('2026-02-23', 'draft');
  const submittedEntryIds = [await entry('2026-02-24', 'submitted'), await entry('2026-02-25', 'submitted'), await entry('2026-02-26', 'submitted')];
  const approvedEntryId = await entry('2026-02-20', 'approved', { approvedById: approverId, approvedAt: '2026-02-21T10:00:00.000Z' });

  // Conflicts: the portal changes the shared phone, then Bullhorn sends a different one.
  const conflictClientIds = ['BH-3', 'BH-4', 'BH-5'].map(clientOf);
  for (const id of conflictClientIds) {
    await store.unitOfWork((tx) => applyLocalChange(tx, policy, { entity: 'client', canonicalId: id, changes: { phone: '555-0199' }, actor: 'seed' }, now()));
  }
  await engine.apply({
    system: 'bullhorn', entity: 'client',
    records: ['BH-3', 'BH-4', 'BH-5'].map((externalId, i) => ({
      externalId, sourceModifiedAt: '2026-03-01T12:00:00.000Z', values: { name: `Harbor Tooling ${i + 3}`, status: 'active', phone: `555-077${i}` },
    })),
  });

  return {
    clientId, otherClientId, worksiteId, otherWorksiteId, approverId, requesterId, elsewhereApproverId, plainContactId, inactiveApproverId,
    foreignContactId, candidateId, assignmentId, draftEntryId, submittedEntryIds, approvedEntryId, conflictClientIds,
  };
}
