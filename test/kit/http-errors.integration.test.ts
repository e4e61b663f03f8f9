import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildUrl, ConnectorConfigError, NotFoundError, safePath, TransientError, VersionConflictError, type HttpMethod,
} from '../../connectors/kit/index.ts';
import { clientFor } from './http-helpers.ts';
import { json, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // The path says what to answer: /status/<code>.
  server.handle((hit, res) => {
    const status = Number(/\/status\/(\d+)/.exec(hit.url)?.[1] ?? 200);
    if (hit.url.includes('/text')) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('plain words');
      return;
    }
    json(res, status, status === 422 ? { errors: [{ error_key: 'email', category: 'invalid_attribute_value', message: 'Email has already been taken' }] } : { message: `answer ${status}` });
  });
});
afterAll(async () => {
  await server.close();
});

type Expected = [HttpMethod, number, new (...args: never[]) => Error, Record<string, unknown>, number];

describe('error classification', () => {
  it.each<Expected>([
    ['GET', 403, ConnectorConfigError, { reason: 'forbidden', retryable: false }, 1],
    ['GET', 404, NotFoundError, { kind: 'not_found' }, 1],
    ['GET', 410, NotFoundError, { kind: 'not_found' }, 1],
    ['GET', 400, ConnectorConfigError, { reason: 'rejected' }, 1],
    ['GET', 412, ConnectorConfigError, { reason: 'rejected' }, 1],
    ['PUT', 404, ConnectorConfigError, { reason: 'rejected' }, 1],
    ['POST', 400, ConnectorConfigError, { reason: 'rejected', vendorMessage: 'answer 400' }, 1],
    ['POST', 422, ConnectorConfigError, { reason: 'rejected', vendorMessage: 'Email has already been taken' }, 1],
    ['PUT', 409, VersionConflictError, { kind: 'version_conflict', retryable: false }, 1],
    ['POST', 500, TransientError, { mayHaveApplied: true }, 1],
    ['POST', 503, TransientError, { mayHaveApplied: true }, 1],
    ['POST', 408, TransientError, { mayHaveApplied: false }, 3],
    ['GET', 502, TransientError, { mayHaveApplied: false }, 3],
    ['DELETE', 504, TransientError, { mayHaveApplied: false }, 3],
  ])('%s answered %i → %o', async (method, status, type, fields, attempts) => {
    const { client } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 2, baseDelayMs: 1 } });
    const before = server.hits.length;
    const failure = await client.request({ method, path: `/v1/status/${status}`, ...(method === 'GET' || method === 'DELETE' ? {} : { body: { a: 1 } }) }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(type);
    expect(failure).toMatchObject({ ...fields, status, method, path: `/v1/status/${status}` });
    expect(server.hits.length - before).toBe(attempts);
  });

  it('hands back statuses the caller accepts instead of throwing', async () => {
    const { client } = clientFor(server.baseUrl);
    await expect(client.get('/v1/status/404', undefined, { accept: [404] })).resolves.toMatchObject({ status: 404, data: { message: 'answer 404' } });
  });

  it('returns a non-JSON body as text', async () => {
    const { client } = clientFor(server.baseUrl);
    await expect(client.get('/v1/text')).resolves.toMatchObject({ status: 200, data: 'plain words' });
  });

  it('never puts credentials, tokens or bodies into errors or logs', async () => {
    const { client, logger } = clientFor(server.baseUrl, {}, { retry: { maxRetries: 1, baseDelayMs: 1 } });
    const failure = await client
      .request({ path: '/v1/status/500', query: { access_token: 'tok-SECRET-1' }, headers: { authorization: 'Bearer tok-SECRET-2' }, method: 'GET' })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    const printed = [String(failure), JSON.stringify(failure), (failure as Error).stack ?? '', JSON.stringify(logger.entries)].join('\n');
    expect(printed).not.toContain('SECRET');
    expect((failure as Error).cause).toBeUndefined();
    expect(failure).toMatchObject({ path: '/v1/status/500' });
    expect(server.hits.at(-1)?.url).toContain('access_token=tok-SECRET-1');
  });

  it('sends JSON bodies and default headers', async () => {
    const { client } = clientFor(server.baseUrl, { headers: { 'X-Gusto-API-Version': '2025-06-15' } });
    await client.request({ method: 'PUT', path: '/v1/employees/e-1', body: { version: 'v1', first_name: 'Zoë' } });
    const hit = server.hits.at(-1);
    expect(hit?.body).toBe('{"version":"v1","first_name":"Zoë"}');
    expect(hit?.headers['x-gusto-api-version']).toBe('2025-06-15');
    expect(hit?.headers['accept']).toBe('application/json');
  });
});

describe('URLs', () => {
  it('keeps the base path whether or not the path starts with a slash', () => {
    expect(buildUrl('https://x.example/rest-services/corp/', 'entity/Candidate/1', {})).toBe('https://x.example/rest-services/corp/entity/Candidate/1');
    expect(buildUrl('https://x.example/rest-services/corp', '/entity/Candidate/1', {})).toBe('https://x.example/rest-services/corp/entity/Candidate/1');
  });
  it('passes absolute URLs (Link: rel="next") through and appends query parameters', () => {
    expect(buildUrl('https://x.example', 'https://y.example/v1/candidates?page=2', { per_page: '100' })).toBe('https://y.example/v1/candidates?page=2&per_page=100');
    expect(buildUrl('https://x.example', 'v1/a', { q: 'a b&c' })).toBe('https://x.example/v1/a?q=a+b%26c');
  });
  it('strips queries and hosts from paths shown in errors', () => {
    expect(safePath('https://x.example/v1/a?BhRestToken=s#frag')).toBe('/v1/a');
    expect(safePath('entity/Candidate?fields=id')).toBe('entity/Candidate');
  });
});
