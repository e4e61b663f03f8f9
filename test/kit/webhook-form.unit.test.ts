import { describe, expect, it } from 'vitest';
import { checkWebhookSignatureForm, type WebhookHeaders } from '../../connectors/kit/index.ts';
import { SCHEMES, withDigest } from './webhook-schemes.ts';

/**
 * Each scheme's header-only check (what a webhook route runs before it reads the body) refuses
 * exactly what its verifier refuses without looking at the body, with the same status and reason,
 * and lets through every header set whose verdict depends on the body or the secret.
 */

const NOW_SECONDS = 1_795_000_000;
const now = (): number => NOW_SECONDS * 1000 + 420;
const BODY = Buffer.from('{"action":"hire_candidate","payload":{"id":42}}', 'utf8');

describe.each(SCHEMES)('$scheme: headers before the body', (s) => {
  const options = { secrets: [s.secret], now };
  const good = (): Record<string, string> => s.sign(BODY, s.secret, NOW_SECONDS);
  const form = (headers: WebhookHeaders) => checkWebhookSignatureForm(s.scheme, headers, { now });

  it('passes a well-formed signature, right or wrong: only the body can tell', () => {
    expect(form(good())).toEqual({ ok: true });
    expect(form(s.sign(BODY, s.otherSecret, NOW_SECONDS))).toEqual({ ok: true });
    expect(form(s.sign('another body', s.secret, NOW_SECONDS))).toEqual({ ok: true });
    const lower = Object.fromEntries(Object.entries(good()).map(([k, v]) => [k.toLowerCase(), v]));
    expect(form(lower)).toEqual({ ok: true });
  });

  it('refuses what the verifier refuses from the headers alone, with the same status and reason', () => {
    const without = good();
    delete without[s.signatureHeader];
    const cases: WebhookHeaders[] = [
      {},
      without,
      { ...good(), [s.signatureHeader]: '' },
      { ...good(), [s.signatureHeader]: 'x'.repeat(9_000) },
      withDigest(s, good(), (d) => d.slice(0, -4)),
      withDigest(s, good(), (d) => d + s.extraDigest),
      ...['zz', '%%%%', '\u0000', 'é'.repeat(64), '-'.repeat(64)].map((bad) => withDigest(s, good(), () => bad)),
      { ...good(), [s.signatureHeader]: `${good()[s.signatureHeader] ?? ''}, ${good()[s.signatureHeader] ?? ''}` },
    ];
    if (s.timestamped) cases.push(s.sign(BODY, s.secret, NOW_SECONDS - 301), s.sign(BODY, s.secret, NOW_SECONDS + 301));
    for (const headers of cases) {
      const verdict = s.verify(BODY, headers, options);
      const early = form(headers);
      if (verdict.ok) {
        // A header the verifier accepts (a duplicated list where one entry is valid): so does the form check.
        expect(early).toEqual({ ok: true });
      } else {
        expect(early).toEqual(verdict);
      }
    }
  });
});
