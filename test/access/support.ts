import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { newId } from '../../src/lib/ids.ts';
import type { SqliteStore } from '../../src/store/index.ts';

/** Shared fixtures for the access tests: seeded contacts, a real JWKS endpoint, a real SMTP server. */

export const T0 = '2026-03-02T09:00:00.000Z';
export const at = (minutes: number, from = T0): string => new Date(Date.parse(from) + minutes * 60_000).toISOString();

export async function seedClient(store: SqliteStore, name = 'Harbor Freight Lines'): Promise<string> {
  const id = newId();
  await store.unitOfWork(async (tx) => {
    await tx.canonical.insertMany('client', [{ id, changedAt: null, fields: { name, status: 'active' } }], T0);
  });
  return id;
}

export async function seedContact(store: SqliteStore, clientId: string, email: string | null, status: 'active' | 'inactive' = 'active'): Promise<string> {
  const id = newId();
  await store.unitOfWork(async (tx) => {
    await tx.canonical.insertMany('contact', [{ id, changedAt: null, fields: { clientId, firstName: 'Dana', lastName: 'Reyes', email, status } }], T0);
  });
  return id;
}

/** Sets a contact's status, keeping its other fields (updateMany writes the full field set). */
export async function setContactStatus(store: SqliteStore, id: string, status: 'active' | 'inactive'): Promise<void> {
  await store.unitOfWork(async (tx) => {
    const row = await tx.canonical.get('contact', id);
    if (row === null) throw new Error(`no contact ${id}`);
    await tx.canonical.updateMany('contact', [{ id, changedAt: null, fields: { ...row.fields, status } }], T0);
  });
}

export async function seedUser(store: SqliteStore, email: string, status: 'active' | 'disabled' = 'active'): Promise<string> {
  const id = newId();
  await store.unitOfWork(async (tx) => {
    await tx.access.insertUser({ id, email, name: 'Ops', role: 'ops_admin', passwordHash: null, status, createdAt: T0, updatedAt: T0 });
  });
  return id;
}

// ---- JWKS

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const ISSUER = 'https://idp.example.test';
export const AUDIENCE = 'crosswalk-portal';

/**
 * A real JWKS endpoint on 127.0.0.1: serves the current key set and counts fetches; `rotate()`
 * replaces the keys with a fresh one under a new kid (the old key is gone from the set).
 */
export interface JwksServer {
  readonly url: string;
  readonly fetches: number;
  readonly current: SigningKey;
  rotate(alg?: 'RS256' | 'ES256'): Promise<SigningKey>;
  /** A token signed with `key` (default: the current key) with sane defaults, overridable. */
  sign(claims: JWTPayload, opts?: { key?: SigningKey; kid?: string; iat?: number; exp?: number | null; nbf?: number; iss?: string; aud?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startJwks(): Promise<JwksServer> {
  let keys: SigningKey[] = [await makeKey('k1', 'RS256')];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listen() on a TCP port always yields an AddressInfo
  let generation = 1;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    get fetches() {
      return fetches;
    },
    get current() {
      const k = keys[0];
      if (k === undefined) throw new Error('no key');
      return k;
    },
    async rotate(alg = 'RS256') {
      generation++;
      const next = await makeKey(`k${generation}`, alg);
      keys = [next];
      return next;
    },
    async sign(claims, opts = {}) {
      const key = opts.key ?? keys[0];
      if (key === undefined) throw new Error('no key');
      const nowS = Math.floor(Date.parse(T0) / 1000);
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: 'JWT' })
        .setIssuer(opts.iss ?? ISSUER)
        .setAudience(opts.aud ?? AUDIENCE)
        .setIssuedAt(opts.iat ?? nowS)
        .setSubject('idp-subject-1');
      if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? nowS + 600);
      if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
      return jwt.sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- SMTP

/** A real SMTP server on 127.0.0.1 (no TLS, no auth) that parses every message it receives. */
export interface SmtpSink {
  readonly url: string;
  readonly messages: ParsedMail[];
  /** Resolves once `count` messages have arrived. */
  waitFor(count: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const waiters: Array<{ count: number; resolve: (m: ParsedMail[]) => void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve(messages);
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo; // bound to a TCP port above
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor: (count) =>
      messages.length >= count ? Promise.resolve(messages) : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
