import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/access/credentials/passwords.ts';
import { CredentialError } from '../../src/access/credentials/secret.ts';

describe('passwords (scrypt)', () => {
  it('hashes as scrypt$N$r$p$salt$hash with a per-user salt and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b); // different salts
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses passwords shorter than 12 characters with a clear error', async () => {
    await expect(hashPassword('short-pass1')).rejects.toThrow(/at least 12 characters long \(it has 11\)/);
    await expect(hashPassword('short-pass1')).rejects.toBeInstanceOf(CredentialError);
    // Code points, not UTF-16 units: 11 emoji are 11 characters.
    await expect(hashPassword('😀'.repeat(11))).rejects.toThrow(/it has 11/);
  });

  it('answers false, never throws, for unknown users and damaged or hostile stored hashes', async () => {
    expect(await verifyPassword('whatever-password', null)).toBe(false);
    for (const stored of ['', 'plain', 'scrypt$32768$8$1$abc$def', 'bcrypt$2b$10$xxxxxxxxxxxxxxxxxxxxxxxxxx', 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(await verifyPassword('whatever-password', stored)).toBe(false);
    }
    const real = await hashPassword('a long enough one');
    expect(await verifyPassword('x'.repeat(5000), real)).toBe(false);
  });
});
