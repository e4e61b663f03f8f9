import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEARNED_TOKEN_KEY } from '../../connectors/gusto/webhook.ts';
import { signGusto } from '../../connectors/kit/index.ts';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { HANDSHAKE_BODY_LIMIT } from '../../src/http/webhooks.ts';
import { buildHttpApp } from '../../src/serve.ts';
import { startHarness, type GustoHarness } from '../connectors/gusto/support/hub.ts';
import { countRows } from '../support/temp-store.ts';

/**
 * A webhook route whose manifest declares a signing scheme checks the signature header's presence
 * and form before it reads the body: through `crosswalk serve`'s app (buildHttpApp) with the Gusto
 * connector, a delivery that declares a large body and sends almost none of it is refused at once.
 * A well-formed but wrong signature still has its body read and verified.
 */

let h: GustoHarness;
let server: ServerHandle;
/** The subscription's verification token, as setupWebhooks would have stored it. */
const TOKEN = '3c0f6a52-token-signature-first';

beforeAll(async () => {
  h = await startHarness(sampleDataset());
  await h.state.set(LEARNED_TOKEN_KEY, TOKEN);
  server = await startServer(buildHttpApp(h.hub), { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  await h.close();
});

interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  readonly ms: number;
  /** Whether the server closed the connection after answering. */
  readonly closed: boolean;
}

/**
 * Sends the request line, the headers and the first `sent` bytes of a body declared `declared`
 * bytes long, then nothing more; resolves with the answer (or rejects after 5 s without one).
 */
function postPartial(headers: Record<string, string>, declared: number, sent: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(server.port, '127.0.0.1');
    let text = '';
    let answered: Omit<RawReply, 'closed'> | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s (got ${JSON.stringify(text.slice(0, 200))})`));
    }, 5_000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0 || answered) return;
      const head = text.slice(0, split);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? '0');
      if (text.length - split - 4 < length) return;
      answered = { status: Number(head.slice(9, 12)), head, body: text.slice(split + 4, split + 4 + length), ms: Date.now() - started };
      // Give the server a moment to close its side, then report.
      setTimeout(() => {
        clearTimeout(timer);
        const closed = socket.readableEnded || socket.destroyed;
        socket.destroy();
        if (answered) resolve({ ...answered, closed });
      }, 200);
    });
    socket.once('connect', () => {
      const lines = Object.entries({ Host: 'localhost', 'Content-Type': 'application/json', ...headers, 'Content-Length': String(declared) }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`POST /webhooks/gusto HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${sent}`);
    });
  });
}

const LARGE = 900 * 1024; // under the 1 MiB webhook limit: only the signature check can refuse it early

describe('signature headers before the body', () => {
  it('refuses an unsigned delivery 401 without waiting for its body', async () => {
    const reply = await postPartial({}, LARGE, '{"uuid":');
    expect(reply.status).toBe(401);
    expect(reply.ms).toBeLessThan(2_000);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'unauthorized', message: 'missing X-Gusto-Signature header' } });
    expect(reply.head).toMatch(/^connection: close$/im);
    expect(reply.closed).toBe(true);
    expect(countRows(h.store, 'inbox')).toBe(0);
  });

  it('refuses a malformed signature without waiting for the body: a foreign prefix 400, a short digest 401', async () => {
    const prefixed = await postPartial({ 'X-Gusto-Signature': `sha256=${'a'.repeat(64)}` }, LARGE, '{');
    expect(prefixed.status).toBe(400);
    expect(JSON.parse(prefixed.body)).toMatchObject({ error: { code: 'invalid_request', message: 'malformed X-Gusto-Signature header' } });
    const short = await postPartial({ 'X-Gusto-Signature': 'abc123' }, LARGE, '{');
    expect(short.status).toBe(401);
    expect(JSON.parse(short.body)).toMatchObject({ error: { code: 'unauthorized', message: 'signature is not a 32-byte hex digest' } });
    for (const reply of [prefixed, short]) expect(reply.ms).toBeLessThan(2_000);
  });

  it('does not read an unsigned body past the handshake limit to look for a handshake', async () => {
    const reply = await postPartial({}, HANDSHAKE_BODY_LIMIT + 1, '{"verification_token":"');
    expect(reply.status).toBe(401);
    expect(reply.ms).toBeLessThan(2_000);
  });

  it('reads and verifies the body when the signature is well-formed', async () => {
    const body = JSON.stringify({
      uuid: 'a6a3a7de-5d2e-4c59-8d0e-3a9c0c7f0b11', event_type: 'employee.updated', resource_type: 'Company',
      resource_uuid: h.gusto.control.companyUuid, entity_type: 'Employee', entity_uuid: 'x', timestamp: 1_764_000_000,
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/webhooks/gusto`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const wrong = signGusto(body, 'not-the-verification-token');
    // Half the body: a well-formed signature gets the body read, so no answer comes until it ends.
    await expect(postPartial(wrong, body.length, body.slice(0, 10))).rejects.toThrow(/no answer within 5 s/);
    const refused = await post(wrong);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized', message: 'signature mismatch' } });
    expect(countRows(h.store, 'inbox')).toBe(0);

    const accepted = await post(signGusto(body, TOKEN));
    expect(accepted.status).toBe(202);
    expect(countRows(h.store, 'inbox')).toBe(1);
  });
});
