import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearCookieHeader, cookieHeader, createSession, isLoopbackHost, parseSessionToken, readCookie, verifySession, type NewSession,
} from '../../src/access/credentials/sessions.ts';
import { CredentialError } from '../../src/access/credentials/secret.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { at, T0 } from './support.ts';

const cookie: NewSession = { kind: 'cookie', principalKind: 'contact', principalId: 'c1', onBehalfOf: null, readOnly: false, ip: '127.0.0.1', userAgent: 'vitest' };
const viewAs: NewSession = { kind: 'view_as', principalKind: 'contact', principalId: 'c1', onBehalfOf: 'ops-1', readOnly: false, ip: null, userAgent: null };

describe('sessions', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => t.dispose());

  it('cookie session: <id>.<secret>, idle 30 minutes (sliding), absolute 12 hours', async () => {
    const { token, row } = await t.store.unitOfWork((tx) => createSession(tx, cookie, T0));
    expect(token).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
    expect(row.expiresAt).toBe(at(12 * 60));
    expect(JSON.stringify(await t.store.repos.access.sessionById(row.id))).not.toContain(token.split('.')[1]);
    const repos = t.store.repos;
    expect(await verifySession(repos, token, at(29))).toMatchObject({ ok: true, row: { id: row.id } });
    // The use at 29 slid the idle window: 29 + 30 > 58.
    expect(await verifySession(repos, token, at(58))).toMatchObject({ ok: true });
    expect(await verifySession(repos, token, at(58 + 31))).toEqual({ ok: false, reason: 'session idle for more than 30 minutes' });
  });

  it('absolute expiry wins over activity; a custom idle limit applies', async () => {
    const { token } = await t.store.unitOfWork((tx) => createSession(tx, cookie, T0, { absoluteMinutes: 90 }));
    for (let m = 20; m < 90; m += 20) expect(await verifySession(t.store.repos, token, at(m))).toMatchObject({ ok: true });
    expect(await verifySession(t.store.repos, token, at(90))).toEqual({ ok: false, reason: 'session expired' });
    const short = await t.store.unitOfWork((tx) => createSession(tx, cookie, T0));
    expect(await verifySession(t.store.repos, short.token, at(6), { idleMinutes: 5 })).toEqual({ ok: false, reason: 'session idle for more than 5 minutes' });
  });

  it('view-as: cw_view_<id>_<secret>, read-only whatever is asked, 60 minutes absolute', async () => {
    const { token, row } = await t.store.unitOfWork((tx) => createSession(tx, viewAs, T0));
    expect(token).toMatch(/^cw_view_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(row).toMatchObject({ kind: 'view_as', readOnly: true, onBehalfOf: 'ops-1', expiresAt: at(60) });
    expect(await verifySession(t.store.repos, token, at(59))).toMatchObject({ ok: true });
    expect(await verifySession(t.store.repos, token, at(60))).toEqual({ ok: false, reason: 'session expired' });
    await expect(t.store.unitOfWork((tx) => createSession(tx, { ...viewAs, onBehalfOf: null }, T0))).rejects.toBeInstanceOf(CredentialError);
    await expect(t.store.unitOfWork((tx) => createSession(tx, { ...viewAs, principalKind: 'user' }, T0))).rejects.toThrow(/acts for a contact/);
  });

  it('refuses malformed, unknown, wrong-secret, kind-swapped and revoked tokens', async () => {
    const { token, row } = await t.store.unitOfWork((tx) => createSession(tx, cookie, T0));
    const [id, secret] = token.split('.');
    const repos = t.store.repos;
    expect(await verifySession(repos, 'garbage', T0)).toEqual({ ok: false, reason: 'malformed session token' });
    expect(await verifySession(repos, `${'0'.repeat(32)}.${secret}`, T0)).toEqual({ ok: false, reason: 'unknown session' });
    expect(await verifySession(repos, `${id}.${'A'.repeat(43)}`, T0)).toEqual({ ok: false, reason: 'unknown session' });
    // A cookie session's id and secret presented in view-as shape: not a view-as session.
    expect(await verifySession(repos, `cw_view_${id}_${secret}`, T0)).toEqual({ ok: false, reason: 'unknown session' });
    await t.store.unitOfWork((tx) => tx.access.revokeSession(row.id, at(1)));
    expect(await verifySession(repos, token, at(2))).toEqual({ ok: false, reason: 'session revoked' });
    expect(parseSessionToken(token)).toEqual({ kind: 'cookie', id, secret });
  });

  it('cookie headers: HttpOnly, SameSite=Lax, Path=/, Secure only when asked; clearing; reading', () => {
    expect(cookieHeader('abc.def', { secure: true, maxAgeSeconds: 43200 })).toBe('cw_session=abc.def; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure');
    expect(cookieHeader('abc.def', { secure: false, maxAgeSeconds: 60.7 })).toBe('cw_session=abc.def; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(clearCookieHeader({ secure: true })).toMatch(/^cw_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure$/);
    expect(readCookie('theme=dark; cw_session=abc.def; other=1')).toBe('abc.def');
    expect(readCookie('theme=dark')).toBeNull();
    expect(readCookie(undefined)).toBeNull();
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:8080', '[::1]:3000', '::1', 'app.localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['portal.example.com', '10.0.0.1:3000', 'localhost.example.com', '[2001:db8::1]:443', '2001:db8::1']) expect(isLoopbackHost(host)).toBe(false);
  });
});
