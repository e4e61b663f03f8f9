/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.ts';
import { rawRequest, seedWorld, startHarness, TOKEN, type Harness, type Reply, type World } from './support.ts';

/** Every error kind answers the one envelope, with the right status, and none of them is a 500 by accident. */
function expectEnvelope(reply: { status: number; json: unknown }, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json).toMatchObject({ error: { code, message: expect.any(String) as unknown } });
}

describe('auth', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  /** A refused credential: 401 with the bearer challenge naming the error. */
  function expectInvalidToken(reply: Reply): void {
    expectEnvelope(reply, 401, 'unauthorized');
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="crosswalk", error="invalid_token"');
  }

  it('refuses a request without a token, with a bearer challenge', async () => {
    const r = await h.call('GET', '/api/v1/ledger', { token: null });
    expectEnvelope(r, 401, 'unauthorized');
    expect(r.json.data).toBeUndefined();
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a wrong token, including one that is a prefix of the right one', async () => {
    expectInvalidToken(await h.call('GET', '/api/v1/ledger', { token: 'nope' }));
    expectInvalidToken(await h.call('GET', '/api/v1/ledger', { token: 'test-admin-token' }));
    expectInvalidToken(await h.call('GET', '/api/v1/ledger', { token: TOKEN.slice(0, -1) }));
    expectInvalidToken(await h.call('GET', '/api/v1/ledger', { token: h.opsKey.slice(0, -1) }));
    expectInvalidToken(await h.call('GET', '/api/v1/ledger', { token: null, headers: { authorization: 'Basic dGVzdA==' } }));
  });

  it('accepts the right token (scheme is case-insensitive)', async () => {
    expect((await h.call('GET', '/api/v1/ledger')).status).toBe(200);
    expect((await h.call('GET', '/api/v1/ledger', { token: null, headers: { authorization: `bearer ${h.opsKey}` } })).status).toBe(200);
  });

  it('lets the bootstrap admin token only read /me (and create the first user: here one exists already)', async () => {
    const me = await h.call('GET', '/api/v1/me', { token: null, headers: { authorization: `bearer ${TOKEN}` } });
    expect(me.status).toBe(200);
    expect(me.json.data.principal).toMatchObject({ kind: 'bootstrap', credential: 'admin_token' });
    for (const [method, path] of [['GET', '/api/v1/ledger'], ['GET', '/api/v1/conflicts'], ['GET', '/api/v1/records/client']] as const) {
      const r = await h.call(method, path, { token: TOKEN });
      expectEnvelope(r, 403, 'forbidden');
      expect(r.json.data, path).toBeUndefined();
    }
    const second = await h.call('POST', '/api/v1/users', { token: TOKEN, body: { email: 'second@staff.example.test', role: 'ops_admin' } });
    expectEnvelope(second, 403, 'forbidden');
    expect(second.json.error.message).toContain('an ops admin exists already');
  });

  it('answers an unknown route under /api/v1 with 404 and no data, and a bad token there with 401', async () => {
    // Anonymous passes the auth middleware; the unknown route then answers 404, which names no record.
    const anonymous = await h.call('GET', '/api/v1/nothing-here', { token: null });
    expectEnvelope(anonymous, 404, 'not_found');
    expect(anonymous.json).toEqual({ error: { code: 'not_found', message: 'no route GET /api/v1/nothing-here' } });
    expectInvalidToken(await h.call('GET', '/api/v1/nothing-here', { token: 'nope' }));
    expectEnvelope(await h.call('GET', '/api/v1/nothing-here'), 404, 'not_found');
  });

  it('keeps /health and /metrics public', async () => {
    expect((await h.call('GET', '/health', { token: null })).status).toBe(200);
    expect((await h.call('GET', '/metrics', { token: null })).status).toBe(200);
  });
});

describe('auth with no admin token configured', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ adminToken: null });
  });
  afterAll(async () => h.close());

  it('answers 401 to anything but a real credential, and serves API keys as usual', async () => {
    for (const token of [null, '', 'anything', TOKEN]) {
      const r = await h.call('GET', '/api/v1/conflicts', { token });
      expectEnvelope(r, 401, 'unauthorized');
      expect(r.json.data).toBeUndefined();
    }
    expect((await h.call('GET', '/api/v1/conflicts')).status).toBe(200);
  });
});

describe('an admin token shorter than 32 characters', () => {
  const short = 'short-admin-token-0123456789';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ adminToken: short });
  });
  afterAll(async () => h.close());

  it('is refused, with a message naming the variable and the minimum length', async () => {
    for (const path of ['/api/v1/me', '/api/v1/conflicts']) {
      const r = await h.call('GET', path, { token: short });
      expectEnvelope(r, 401, 'unauthorized');
      expect(r.json.error.message).toContain('CROSSWALK_ADMIN_TOKEN must be at least 32 characters');
    }
    const users = await h.call('POST', '/api/v1/users', { token: short, body: { email: 'first@staff.example.test', role: 'ops_admin' } });
    expectEnvelope(users, 401, 'unauthorized');
  });
});

describe('the error envelope', () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness({
      jsonBodyLimit: 4096,
      mount: (app, api) => {
        app.get('/boom', () => {
          throw new Error('secret detail from deep inside');
        });
        api.route({
          method: 'get', path: '/api/v1/teapot', operationId: 'teapot', summary: 'test route', tag: 'test', access: 'records.read', responses: {},
          handler: () => {
            throw new ApiError('forbidden', 'not for you');
          },
        });
      },
    });
    w = await seedWorld(h);
  });
  afterAll(async () => h.close());

  it('unknown route → 404', async () => {
    const r = await h.call('GET', '/nowhere', { token: null });
    expectEnvelope(r, 404, 'not_found');
    expect(r.json.error.message).toBe('no route GET /nowhere');
    expectEnvelope(await h.call('DELETE', '/api/v1/ledger'), 404, 'not_found');
  });

  it('zod failure → 400 with a path and message per problem', async () => {
    const r = await h.call('GET', '/api/v1/ledger?limit=0&outcome=maybe&since=yesterday');
    expectEnvelope(r, 400, 'invalid_request');
    const paths = (r.json.error.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(['query.limit', 'query.outcome', 'query.since']);
  });

  it('unknown query parameter → 400 naming it', async () => {
    const r = await h.call('GET', '/api/v1/conflicts?colour=blue');
    expectEnvelope(r, 400, 'invalid_request');
    expect(r.json.error.details).toEqual([{ path: 'query.colour', message: 'unknown parameter' }]);
  });

  it('a query parameter given twice → 400', async () => {
    const r = await h.call('GET', '/api/v1/conflicts?system=a&system=b');
    expectEnvelope(r, 400, 'invalid_request');
    expect(r.json.error.message).toContain('more than once');
  });

  it('unknown body field → 400 (strict bodies: nothing smuggled in)', async () => {
    // The approver's own key, so the route's access check passes and the body is what is refused.
    const approverKey = await h.keyFor({ contactId: w.approverId });
    const r = await h.call('POST', `/api/v1/time-entries/${w.submittedEntryIds[0]}/approve`, {
      body: { contactId: w.approverId, status: 'approved', approvedById: w.plainContactId }, token: approverKey,
    });
    expectEnvelope(r, 400, 'invalid_request');
    expect(r.json.error.details).toEqual([
      { path: 'body.contactId', message: 'unknown field' },
      { path: 'body.status', message: 'unknown field' },
      { path: 'body.approvedById', message: 'unknown field' },
    ]);
  });

  it('body that is not JSON → 400; not declared JSON → 415', async () => {
    expectEnvelope(await h.call('POST', '/api/v1/outbox/replay', { body: '{"ids": [' }), 400, 'invalid_json');
    expectEnvelope(await h.call('POST', '/api/v1/outbox/replay', { body: 'ids=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('missing body where one is required → 400', async () => {
    const r = await h.call('POST', '/api/v1/outbox/replay');
    expectEnvelope(r, 400, 'invalid_request');
    expect(r.json.error.details[0].path).toBe('body');
  });

  it('a route with no body refuses one that arrives (also on GET)', async () => {
    const r = await rawRequest(h.url, {
      method: 'GET', path: '/api/v1/ledger',
      headers: { authorization: `Bearer ${h.opsKey}`, 'content-type': 'application/json', 'content-length': '2' },
      chunks: ['{}'],
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'body_not_allowed' } });
  });

  it('body over the limit → 413, declared by Content-Length or streamed chunked', async () => {
    const big = JSON.stringify({ ids: ['x'.repeat(5000)] });
    const declared = await h.call('POST', '/api/v1/outbox/replay', { body: big });
    expectEnvelope(declared, 413, 'payload_too_large');
    const chunked = await rawRequest(h.url, {
      method: 'POST', path: '/api/v1/outbox/replay',
      headers: { authorization: `Bearer ${h.opsKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: [big.slice(0, 2000), big.slice(2000, 4000), big.slice(4000)],
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    // Just under the limit is read and validated as usual.
    const fits = await h.call('POST', '/api/v1/outbox/replay', { body: { ids: ['x'.repeat(3000)] } });
    expectEnvelope(fits, 400, 'invalid_request');
  });

  it('RefusedError keeps its status: not_found 404, refused 409, invalid 422', async () => {
    expectEnvelope(await h.call('POST', '/api/v1/conflicts/no-such-conflict/resolve', { body: { take: 'incoming'} }), 404, 'not_found');
    const id = (await h.call('GET', '/api/v1/conflicts')).json.data[0].id as string;
    expect((await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'incoming'} })).status).toBe(200);
    const again = await h.call('POST', `/api/v1/conflicts/${id}/resolve`, { body: { take: 'current'} });
    expectEnvelope(again, 409, 'refused');
    expect(again.json.error.message).toContain('already resolved');
    const other = (await h.call('GET', '/api/v1/conflicts')).json.data[0].id as string;
    const invalid = await h.call('POST', `/api/v1/conflicts/${other}/resolve`, { body: { value: 'x'.repeat(100)} });
    expectEnvelope(invalid, 422, 'invalid');
  });

  it('ApiError from a mounted route keeps its code', async () => {
    expectEnvelope(await h.call('GET', '/api/v1/teapot'), 403, 'forbidden');
  });

  it('anything unexpected → 500 with a generic message, logged, no stack or detail in the body', async () => {
    const r = await h.call('GET', '/boom', { token: null });
    expectEnvelope(r, 500, 'internal');
    expect(r.text).not.toContain('secret detail');
    expect(r.text).not.toContain('at ');
    expect(r.json.error.message).toContain(r.headers.get('x-request-id'));
    expect(h.log.errors.some((e) => (e.obj as { err?: Error }).err?.message === 'secret detail from deep inside')).toBe(true);
  });

  it('no bad input in this file produced a 500 other than /boom', () => {
    const fives = [...h.counters.httpResponses.values()].filter((r) => r.status >= 500 && r.route !== '/boom');
    expect(fives).toEqual([]);
  });
});
