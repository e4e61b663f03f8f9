import { describe, expect, it } from 'vitest';
import {
  signGithub, signStandardWebhook, verifyGithub, verifyGreenhouse, verifyGusto, verifyStandardWebhook, verifyStripe,
  verifyWebhookSignature, signWebhook, type VerifyResult,
} from '../../connectors/kit/index.ts';
import { SCHEMES, withDigest } from './webhook-schemes.ts';

// The signature verification matrix, for every scheme.

const NOW_SECONDS = 1_795_000_000;
const now = (): number => NOW_SECONDS * 1000 + 420;
// Signed exactly as a vendor sends it: unicode escapes and non-ASCII bytes a re-serialiser would change.
const BODY = Buffer.from('{"action":"hire_candidate","payload":{"name":"Zo\\u00eb \\u003cNguyễn\\u003e","id":42,"tags":[]}}', 'utf8');

function rejected(result: VerifyResult, status: 400 | 401): void {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.status).toBe(status);
    expect(result.reason.length).toBeGreaterThan(0);
  }
}

describe.each(SCHEMES)('$scheme signature matrix', (s) => {
  const options = { secrets: [s.secret], now };
  const good = (): Record<string, string> => s.sign(BODY, s.secret, NOW_SECONDS);

  it('accepts a valid signature over the raw bytes', () => {
    expect(s.verify(BODY, good(), options)).toEqual({ ok: true });
  });

  it('accepts header names in any case (Node lower-cases them)', () => {
    const lower = Object.fromEntries(Object.entries(good()).map(([k, v]) => [k.toLowerCase(), v]));
    const upper = Object.fromEntries(Object.entries(good()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(s.verify(BODY, lower, options).ok).toBe(true);
    expect(s.verify(BODY, upper, options).ok).toBe(true);
  });

  it('rejects a body with one byte changed', () => {
    const tampered = Buffer.from(BODY);
    tampered[10] = (tampered[10] ?? 0) ^ 0x01;
    rejected(s.verify(tampered, good(), options), 401);
  });

  it('rejects the same JSON re-serialised', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString('utf8'))), 'utf8');
    expect(reserialised.equals(BODY)).toBe(false);
    rejected(s.verify(reserialised, good(), options), 401);
  });

  it('rejects a signature made with another secret', () => {
    rejected(s.verify(BODY, s.sign(BODY, s.otherSecret, NOW_SECONDS), options), 401);
  });

  it('rejects a request without the signature header', () => {
    const headers = good();
    delete headers[s.signatureHeader];
    rejected(s.verify(BODY, headers, options), 401);
    rejected(s.verify(BODY, {}, options), s.scheme === 'standard-webhooks' ? 400 : 401);
  });

  it('rejects a truncated signature', () => {
    rejected(s.verify(BODY, withDigest(s, good(), (d) => d.slice(0, -2)), options), 401);
    rejected(s.verify(BODY, withDigest(s, good(), (d) => d.slice(0, -4)), options), 401);
  });

  it('rejects an over-long signature', () => {
    rejected(s.verify(BODY, withDigest(s, good(), (d) => d + s.extraDigest), options), 401);
  });

  it('rejects malformed digests without throwing', () => {
    for (const bad of ['', 'zz', '%%%%', '\u0000', 'é'.repeat(64), '-'.repeat(64)]) {
      const result = s.verify(BODY, withDigest(s, good(), () => bad), options);
      expect(result.ok).toBe(false);
    }
  });

  it('accepts either of two active secrets during a rotation, and only those', () => {
    const rotation = { secrets: [s.otherSecret, s.secret], now };
    expect(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS), rotation).ok).toBe(true);
    expect(s.verify(BODY, s.sign(BODY, s.otherSecret, NOW_SECONDS), rotation).ok).toBe(true);
    rejected(s.verify(BODY, s.sign(BODY, s.retiredSecret, NOW_SECONDS), rotation), 401);
  });

  it('rejects when no secret is configured instead of accepting', () => {
    rejected(s.verify(BODY, good(), { secrets: [], now }), 401);
    rejected(s.verify(BODY, good(), { secrets: '', now }), 401);
  });

  it('goes through the scheme dispatcher and signer the same way', () => {
    const headers = signWebhook(s.scheme, BODY, s.secret, { id: 'msg_dispatch', timestampSeconds: NOW_SECONDS });
    expect(verifyWebhookSignature(s.scheme, BODY, headers, options).ok).toBe(true);
  });

  if (s.timestamped) {
    it('accepts a timestamp exactly at the ±5 min tolerance', () => {
      expect(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS - 300), options).ok).toBe(true);
      expect(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS + 300), options).ok).toBe(true);
    });

    it('rejects a timestamp 1 s past the tolerance, in the past and in the future', () => {
      rejected(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS - 301), options), 401);
      rejected(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS + 301), options), 401);
    });

    it('honours a custom tolerance', () => {
      const strict = { ...options, toleranceSeconds: 10 };
      expect(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS - 10), strict).ok).toBe(true);
      rejected(s.verify(BODY, s.sign(BODY, s.secret, NOW_SECONDS - 11), strict), 401);
    });
  }
});

describe('multiple signatures', () => {
  const now2 = now;
  it('standard webhooks: accepts a list where one v1 entry is valid, in any position', () => {
    const secret = SCHEMES[2]?.secret ?? '';
    const headers = signStandardWebhook(BODY, secret, { id: 'msg_1', timestampSeconds: NOW_SECONDS });
    const valid = headers['webhook-signature'] ?? '';
    const wrong = 'v1,' + Buffer.alloc(32, 7).toString('base64');
    for (const list of [`${wrong} ${valid}`, `${valid} ${wrong}`, `v1a,abc ${wrong} ${valid}`, `${wrong}, ${valid}`]) {
      expect(verifyStandardWebhook(BODY, { ...headers, 'webhook-signature': list }, { secrets: secret, now: now2 }).ok).toBe(true);
    }
    const onlyWrong = verifyStandardWebhook(BODY, { ...headers, 'webhook-signature': `${wrong} ${wrong}` }, { secrets: secret, now: now2 });
    expect(onlyWrong.ok).toBe(false);
  });

  it('stripe: accepts several v1 entries when one is valid (sender mid-rotation)', () => {
    const secret = SCHEMES[3]?.secret ?? '';
    const headers = signWebhook('stripe', BODY, secret, { timestampSeconds: NOW_SECONDS });
    const value = headers['Stripe-Signature'] ?? '';
    const wrong = 'f'.repeat(64);
    const withWrongFirst = value.replace('v1=', `v1=${wrong},v1=`);
    expect(withWrongFirst).toContain(`v1=${wrong}`);
    expect(verifyStripe(BODY, { 'Stripe-Signature': withWrongFirst }, { secrets: secret, now: now2 }).ok).toBe(true);
    expect(verifyStripe(BODY, { 'Stripe-Signature': `${value},v0=${wrong}` }, { secrets: secret, now: now2 }).ok).toBe(true);
    const allWrong = `t=${NOW_SECONDS},v1=${wrong},v1=${'e'.repeat(64)}`;
    expect(verifyStripe(BODY, { 'Stripe-Signature': allWrong }, { secrets: secret, now: now2 }).ok).toBe(false);
  });

  it('stripe: a header without exactly one t= is malformed (400)', () => {
    const secret = SCHEMES[3]?.secret ?? '';
    const value = signWebhook('stripe', BODY, secret, { timestampSeconds: NOW_SECONDS })['Stripe-Signature'] ?? '';
    rejected(verifyStripe(BODY, { 'Stripe-Signature': value.replace(/^t=\d+,/, '') }, { secrets: secret, now: now2 }), 400);
    rejected(verifyStripe(BODY, { 'Stripe-Signature': `t=${NOW_SECONDS},${value}` }, { secrets: secret, now: now2 }), 400);
    rejected(verifyStripe(BODY, { 'Stripe-Signature': value.replace(/^t=\d+/, 't=soon') }, { secrets: secret, now: now2 }), 400);
  });

  it('github: the legacy sha1 header next to a valid sha256 one does not matter', () => {
    const headers = { ...signGithub(BODY, 'k'), 'X-Hub-Signature': 'sha1=0000000000000000000000000000000000000000' };
    expect(verifyGithub(BODY, headers, { secrets: 'k' }).ok).toBe(true);
  });

  it('single-signature schemes reject a duplicated header (Node joins it with ", ") as malformed', () => {
    const gusto = SCHEMES[0];
    const greenhouse = SCHEMES[1];
    const github = SCHEMES[4];
    if (gusto === undefined || greenhouse === undefined || github === undefined) throw new Error('scheme table changed');
    for (const [s, verify] of [[gusto, verifyGusto], [greenhouse, verifyGreenhouse], [github, verifyGithub]] as const) {
      const valid = s.sign(BODY, s.secret, NOW_SECONDS)[s.signatureHeader] ?? '';
      const wrong = s.sign(BODY, s.otherSecret, NOW_SECONDS)[s.signatureHeader] ?? '';
      rejected(verify(BODY, { [s.signatureHeader]: `${wrong}, ${valid}` }, { secrets: s.secret }), 400);
      rejected(verify(BODY, { [s.signatureHeader.toLowerCase()]: [wrong, valid] }, { secrets: s.secret }), 400);
    }
  });
});

describe('published and documented vectors', () => {
  it("GitHub's documented example: secret \"It's a Secret to Everybody\", payload \"Hello, World!\"", () => {
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signGithub('Hello, World!', "It's a Secret to Everybody")).toEqual({ 'X-Hub-Signature-256': expected });
    expect(verifyGithub(Buffer.from('Hello, World!'), { 'x-hub-signature-256': expected }, { secrets: "It's a Secret to Everybody" }).ok).toBe(true);
  });

  it('the Standard Webhooks specification test vector', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    const headers = signStandardWebhook(body, secret, { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestampSeconds: 1614265330 });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(verifyStandardWebhook(Buffer.from(body), headers, { secrets: secret, now: () => 1614265330_000 }).ok).toBe(true);
  });

  it('greenhouse: the prefix is "sha256 " with a space, not "sha256="', () => {
    const s = SCHEMES[1];
    if (s === undefined) throw new Error('scheme table changed');
    const value = s.sign(BODY, s.secret, NOW_SECONDS)['Signature'] ?? '';
    expect(value).toMatch(/^sha256 [0-9a-f]{64}$/);
    rejected(verifyGreenhouse(BODY, { Signature: value.replace('sha256 ', 'sha256=') }, { secrets: s.secret }), 400);
  });

  it('gusto: bare lowercase hex, no prefix', () => {
    const s = SCHEMES[0];
    if (s === undefined) throw new Error('scheme table changed');
    expect(s.sign(BODY, s.secret, NOW_SECONDS)['X-Gusto-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('standard webhooks: missing id or timestamp header is a malformed request (400)', () => {
    const s = SCHEMES[2];
    if (s === undefined) throw new Error('scheme table changed');
    const headers = s.sign(BODY, s.secret, NOW_SECONDS);
    const { 'webhook-id': _id, ...withoutId } = headers;
    const { 'webhook-timestamp': _ts, ...withoutTimestamp } = headers;
    rejected(verifyStandardWebhook(BODY, withoutId, { secrets: s.secret, now }), 400);
    rejected(verifyStandardWebhook(BODY, withoutTimestamp, { secrets: s.secret, now }), 400);
    rejected(verifyStandardWebhook(BODY, { ...headers, 'webhook-timestamp': '17e8' }, { secrets: s.secret, now }), 400);
    // The id is signed: changing it breaks the signature.
    rejected(verifyStandardWebhook(BODY, { ...headers, 'webhook-id': 'msg_other' }, { secrets: s.secret, now }), 401);
  });
});
