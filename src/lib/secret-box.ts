import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (connector tokens, webhook keys): AES-256-GCM with a key ring, so keys can rotate.
 *
 * A sealed value reads `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts; 12-byte IV, 16-byte
 * tag). The first key of the ring seals every new value; any key of the ring opens one that names
 * it. A value sealed with a context (the row it belongs to) opens only with the same context, so a
 * sealed refresh token copied into another row does not open there.
 *
 * Key material never leaves this module: errors name key ids and the variable, never bytes, and a
 * ring prints (JSON, util.inspect) as its key ids only.
 */

export const SECRET_KEY_ENV = 'CROSSWALK_SECRET_KEY';
const PREFIX = 'enc:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A key ring that does not parse: names where it came from and what is wrong, never the key. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
  constructor(
    readonly source: string,
    /** What is wrong, without the source. */
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** A sealed value that does not open: unknown key id, wrong key, tampered, or malformed. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** Purpose keys derived by `mac`, by key id and purpose. */
  readonly #derived = new Map<string, Buffer>();
  /** The key id new values are sealed with. */
  readonly currentId: string;

  private constructor(keys: ReadonlyArray<readonly [string, Buffer]>) {
    const first = keys[0];
    if (!first) throw new SecretKeyError('key ring', 'needs at least one key');
    this.#keys = new Map(keys);
    this.currentId = first[0];
  }

  /**
   * Parses `keyId:base64,keyId:base64,…` (each key 32 bytes, the first one current) or one bare
   * base64 key, which gets the id `k1`. `source` names the variable or file in errors.
   */
  static parse(text: string, source: string = SECRET_KEY_ENV): Keyring {
    const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (entries.length === 0) throw new SecretKeyError(source, 'is empty: expected keyId:base64-of-32-bytes[,keyId:base64…]');
    const keys: Array<[string, Buffer]> = [];
    for (const [i, entry] of entries.entries()) {
      const colon = entry.indexOf(':');
      const bare = colon < 0 && entries.length === 1;
      if (colon < 0 && !bare) throw new SecretKeyError(source, `key ${i + 1} has no key id (expected keyId:base64-of-32-bytes)`);
      const id = bare ? 'k1' : entry.slice(0, colon);
      const encoded = bare ? entry : entry.slice(colon + 1);
      if (!KEY_ID.test(id)) throw new SecretKeyError(source, `key ${i + 1} has an invalid key id (letters, digits, _ or -, at most 32)`);
      if (keys.some(([known]) => known === id)) throw new SecretKeyError(source, `key id "${id}" appears twice`);
      const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      if (key.length !== KEY_BYTES) throw new SecretKeyError(source, `key "${id}" is not the base64 of ${KEY_BYTES} bytes`);
      keys.push([id, key]);
    }
    return new Keyring(keys);
  }

  /** A ring of one fresh random key (the demo's generated key, an in-memory store). */
  static generate(id = 'k1'): Keyring {
    return new Keyring([[id, randomBytes(KEY_BYTES)]]);
  }

  /** The ring as `Keyring.parse` reads it: for writing a generated key to its file, nowhere else. */
  serialize(): string {
    return [...this.#keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');
  }

  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  seal(plaintext: string, context = ''): string {
    const key = this.#keys.get(this.currentId);
    if (!key) throw new SecretBoxError(`no key "${this.currentId}" in the ring`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`${this.currentId}\u0000${context}`, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.currentId}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split(':') : [];
    const [id, ivText, tagText, bodyText] = parts;
    if (parts.length !== 4 || id === undefined || ivText === undefined || tagText === undefined || bodyText === undefined) {
      throw new SecretBoxError('not a sealed value (expected enc:v1:<keyId>:<iv>:<tag>:<ciphertext>)');
    }
    const key = this.#keys.get(id);
    if (!key) throw new SecretBoxError(`sealed with key "${id}", which is not in ${SECRET_KEY_ENV} (keys: ${this.keyIds.join(', ')})`);
    const iv = Buffer.from(ivText, 'base64');
    const tag = Buffer.from(tagText, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES || !BASE64.test(ivText) || !BASE64.test(tagText) || (bodyText !== '' && !BASE64.test(bodyText))) {
      throw new SecretBoxError('malformed sealed value');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${id}\u0000${context}`, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // GCM says only "unable to authenticate": the value was altered, or sealed under another key with this id.
      throw new SecretBoxError(`sealed value does not authenticate under key "${id}" (tampered, or a different key with that id)`);
    }
  }

  /**
   * HMAC-SHA256 of `data` under a key derived (HKDF-SHA256, info = `purpose`) from ring key `keyId`:
   * signed links get their own key, so a MAC made for one purpose proves nothing for another and the
   * ring key itself never signs. Null when the ring holds no key with that id (a retired key).
   */
  mac(purpose: string, data: string, keyId: string = this.currentId): Buffer | null {
    const key = this.#keys.get(keyId);
    if (!key) return null;
    const cacheKey = `${keyId}\u0000${purpose}`;
    let derived = this.#derived.get(cacheKey);
    if (!derived) {
      derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), KEY_BYTES));
      this.#derived.set(cacheKey, derived);
    }
    return createHmac('sha256', derived).update(data, 'utf8').digest();
  }

  /** The key id a sealed value names, or null for a value that is not sealed (legacy plaintext). */
  static keyIdOf(value: string): string | null {
    if (!value.startsWith(PREFIX)) return null;
    const id = value.slice(PREFIX.length).split(':', 1)[0];
    return id === undefined || id === '' ? null : id;
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  toJSON(): { keyIds: readonly string[]; currentId: string } {
    return { keyIds: this.keyIds, currentId: this.currentId };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring { currentId: '${this.currentId}', keyIds: [${this.keyIds.map((k) => `'${k}'`).join(', ')}] }`;
  }
}
