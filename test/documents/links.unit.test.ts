import { describe, expect, it } from 'vitest';
import { LinkSigner } from '../../src/documents/links.ts';
import { Keyring } from '../../src/lib/secret-box.ts';

const ring = Keyring.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`, 'test');
const signer = new LinkSigner(ring);
const T = Date.parse('2026-03-02T09:00:00.000Z');
const base = { documentId: 'doc-1', version: 2, principal: 'contact:c-1', singleUse: false, now: T };

/** Replaces the claims part of a link with other claims, keeping its signature. */
function withClaims(link: string, claims: Record<string, unknown>): string {
  const [keyId, , mac] = link.split('.');
  return `${keyId ?? ''}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac ?? ''}`;
}

describe('signed download links', () => {
  it('verifies what it signed, with every claim, for 15 minutes by default', () => {
    const { link, claims } = signer.sign(base);
    expect(claims.expiresAt - T).toBe(15 * 60_000);
    const checked = signer.verify(link, T + 14 * 60_000);
    expect(checked).toEqual({ ok: true, claims });
    expect(claims).toMatchObject({ documentId: 'doc-1', version: 2, principal: 'contact:c-1', singleUse: false });
  });

  it('refuses a tampered link: another version, document or principal under the same signature', () => {
    const { link, claims } = signer.sign(base);
    const raw = { d: claims.documentId, v: claims.version, p: claims.principal, e: claims.expiresAt, l: claims.linkId, s: 0 };
    for (const forged of [{ ...raw, v: 1 }, { ...raw, d: 'doc-2' }, { ...raw, p: 'contact:c-2' }, { ...raw, e: claims.expiresAt + 3_600_000 }]) {
      expect(signer.verify(withClaims(link, forged), T)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature does not match/) as unknown });
    }
    // A flipped character of the MAC.
    const last = link.at(-1) === 'A' ? 'B' : 'A';
    expect(signer.verify(link.slice(0, -1) + last, T).ok).toBe(false);
  });

  it('refuses an expired link, by its signed expiry', () => {
    const { link } = signer.sign({ ...base, minutes: 1 });
    expect(signer.verify(link, T + 59_999).ok).toBe(true);
    expect(signer.verify(link, T + 60_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) as unknown });
  });

  it('refuses a link signed under another ring, or a key no longer held, and malformed text', () => {
    const other = new LinkSigner(Keyring.parse(`k1:${Buffer.alloc(32, 2).toString('base64')}`, 'test'));
    const { link } = other.sign(base);
    expect(signer.verify(link, T).ok).toBe(false);
    const retired = new LinkSigner(Keyring.parse(`k9:${Buffer.alloc(32, 1).toString('base64')}`, 'test')).sign(base).link;
    expect(signer.verify(retired, T)).toMatchObject({ ok: false, reason: expect.stringMatching(/no longer holds/) as unknown });
    for (const bad of ['', 'a.b', 'k1.!!.x', `k1.${'a'.repeat(3000)}.b`, 'k1.e30.AAAA']) expect(signer.verify(bad, T).ok).toBe(false);
  });

  it('binds the key to its purpose: the ring’s MAC for anything else never verifies a link', () => {
    const { link } = signer.sign(base);
    const [keyId, payload] = link.split('.');
    const foreignMac = ring.mac('some other purpose', `${keyId ?? ''}.${payload ?? ''}`)?.toString('base64url') ?? '';
    expect(signer.verify(`${keyId ?? ''}.${payload ?? ''}.${foreignMac}`, T).ok).toBe(false);
  });

  it('gives every link its own id (what a single-use link is spent under)', () => {
    const a = signer.sign({ ...base, singleUse: true });
    const b = signer.sign({ ...base, singleUse: true });
    expect(a.claims.linkId).not.toBe(b.claims.linkId);
    expect(signer.verify(a.link, T)).toMatchObject({ ok: true, claims: { singleUse: true } });
  });
});
