import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Keyring, SecretBoxError, SecretKeyError } from '../../src/lib/secret-box.ts';

const keyOf = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const K1 = `k1:${keyOf(1)}`;
const K2 = `k2:${keyOf(2)}`;
const TOKEN = 'rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('Keyring seal/open (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time, in the enc:v1:<kid>:<iv>:<tag>:<ct> format', () => {
    const ring = Keyring.parse(K1);
    const a = ring.seal(TOKEN, 'row');
    const b = ring.seal(TOKEN, 'row');
    expect(a).toMatch(/^enc:v1:k1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(TOKEN);
    expect(ring.open(a, 'row')).toBe(TOKEN);
    expect(ring.open(ring.seal('', 'row'), 'row')).toBe('');
    expect(ring.open(ring.seal('naïve — ключ', 'row'), 'row')).toBe('naïve — ключ');
    expect(Keyring.keyIdOf(a)).toBe('k1');
    expect(Keyring.keyIdOf(TOKEN)).toBeNull();
  });

  it('refuses a tampered ciphertext, IV, tag or key id', () => {
    const ring = Keyring.parse(`${K1},${K2}`);
    const sealed = ring.seal(TOKEN, 'row');
    const [, , kid, iv, tag, ct] = sealed.split(':') as [string, string, string, string, string, string];
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    for (const bad of [
      `enc:v1:${kid}:${iv}:${tag}:${flip(ct)}`,
      `enc:v1:${kid}:${flip(iv)}:${tag}:${ct}`,
      `enc:v1:${kid}:${iv}:${flip(tag)}:${ct}`,
      `enc:v1:k2:${iv}:${tag}:${ct}`,
    ]) {
      expect(() => ring.open(bad, 'row')).toThrow(SecretBoxError);
    }
    expect(() => ring.open(`enc:v1:${kid}:${iv}:${tag}`, 'row')).toThrow(/not a sealed value/);
    expect(() => ring.open(`enc:v1:${kid}:@@:${tag}:${ct}`, 'row')).toThrow(/malformed/);
  });

  it('refuses another row\'s value (the context is authenticated)', () => {
    const ring = Keyring.parse(K1);
    expect(() => ring.open(ring.seal(TOKEN, 'gusto/oauth.tokens'), 'bullhorn/oauth.refreshToken')).toThrow(/does not authenticate/);
  });

  it('refuses a value sealed under a different key with the same id, and an unknown key id', () => {
    const sealed = Keyring.parse(K1).seal(TOKEN);
    expect(() => Keyring.parse(`k1:${keyOf(9)}`).open(sealed)).toThrow(/does not authenticate under key "k1"/);
    expect(() => Keyring.parse(K2).open(sealed)).toThrow(/sealed with key "k1", which is not in CROSSWALK_SECRET_KEY \(keys: k2\)/);
  });

  it('rotates: the first key seals new values, an older key still opens old ones', () => {
    const old = Keyring.parse(K1).seal(TOKEN, 'row');
    const rotated = Keyring.parse(`${K2},${K1}`);
    expect(rotated.currentId).toBe('k2');
    expect(rotated.open(old, 'row')).toBe(TOKEN);
    const fresh = rotated.seal(TOKEN, 'row');
    expect(Keyring.keyIdOf(fresh)).toBe('k2');
    expect(Keyring.parse(K2).open(fresh, 'row')).toBe(TOKEN);
    expect(() => Keyring.parse(K2).open(old, 'row')).toThrow(SecretBoxError);
  });
});

describe('Keyring.parse', () => {
  it('takes a bare base64 key as k1, and a comma list of keyId:base64', () => {
    expect(Keyring.parse(keyOf(3)).keyIds).toEqual(['k1']);
    expect(Keyring.parse(` ${K2} , ${K1} `).keyIds).toEqual(['k2', 'k1']);
    expect(Keyring.parse(keyOf(3)).open(Keyring.parse(`k1:${keyOf(3)}`).seal('x'))).toBe('x');
  });

  it.each([
    ['', /CROSSWALK_SECRET_KEY: is empty/],
    [`k1:${Buffer.alloc(16, 1).toString('base64')}`, /CROSSWALK_SECRET_KEY: key "k1" is not the base64 of 32 bytes/],
    ['k1:not base64!', /key "k1" is not the base64 of 32 bytes/],
    [`${K1},${keyOf(2)}`, /key 2 has no key id/],
    [`k:1:${keyOf(1)}`, /key "k" is not the base64/],
    [`bad id:${keyOf(1)}`, /key 1 has an invalid key id/],
    [`${K1},k1:${keyOf(2)}`, /key id "k1" appears twice/],
  ])('refuses %j, naming the variable', (text, message) => {
    expect(() => Keyring.parse(text)).toThrow(SecretKeyError);
    expect(() => Keyring.parse(text)).toThrow(message);
  });

  it('never shows key material: errors, JSON and inspect carry key ids only', () => {
    const secret = keyOf(5);
    const ring = Keyring.parse(`live:${secret}`);
    expect(JSON.stringify({ ring })).toBe('{"ring":{"keyIds":["live"],"currentId":"live"}}');
    expect(inspect(ring)).not.toContain(secret);
    expect(inspect({ nested: ring }, { depth: 5, showHidden: true })).not.toContain(secret);
    const err = (() => {
      try {
        Keyring.parse(`live:${secret.slice(0, -4)}`);
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).not.toContain(secret.slice(0, 20));
    expect(Keyring.generate().serialize()).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
  });
});
