import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBasic } from '../../src/http/console/auth.ts';
import { coerceFormValue } from '../../src/http/console/coerce.ts';
import { diffList, hrefWith, isPayData, recordHref } from '../../src/http/console/format.ts';
import { escapeHtml, h, trusted } from '../../src/http/console/html.ts';

describe('the html template', () => {
  it('escapes text and attribute values, keeps markup it built, and drops nothing-values', () => {
    const name = `<script>alert("x")</script>&'`;
    const out = h`<p title="${name}">${name}${null}${undefined}${false}${3}${[h`<b>${'<i>'}</b>`, '<u>']}</p>`;
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;3<b>&lt;i&gt;</b>&lt;u&gt;</p>',
    );
    expect(h`${trusted('<hr>')}`.value).toBe('<hr>');
  });

  it('never lets a character that opens markup or closes an attribute through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        // Every & starts one of the entities we write, so the text decodes back exactly.
        const decoded = out.replace(/&(lt|gt|quot|#39|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? '');
        expect(decoded).toBe(s);
      }),
      { seed: 20260401, numRuns: 2000 },
    );
  });
});

describe('links', () => {
  it('encodes ids so no value can change where a link points', () => {
    expect(recordHref('client', '../../admin?x=1#y')).toBe('/console/records/client/..%2F..%2Fadmin%3Fx%3D1%23y');
    expect(recordHref('client', 'javascript:alert(1)')).toBe('/console/records/client/javascript%3Aalert(1)');
    expect(hrefWith('/console/ledger', { system: 'a&b=c', entity: undefined, after: 7 })).toBe('/console/ledger?system=a%26b%3Dc&after=7');
  });
});

describe('basic credentials', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  it('reads user and password, the password keeping its colons', () => {
    expect(parseBasic(`Basic ${b64('dana:to:ken')}`)).toEqual({ user: 'dana', password: 'to:ken' });
    expect(parseBasic(`basic ${b64(' Zoë :x')}`)).toEqual({ user: 'Zoë', password: 'x' });
  });
  it('answers null for anything else', () => {
    for (const header of [undefined, '', 'Basic', `Bearer ${b64('a:b')}`, `Basic ${b64('no-colon')}`, 'Basic ***', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`]) {
      expect(parseBasic(header), String(header)).toBeNull();
    }
  });
});

describe('set value from a form', () => {
  it('is null when blank, a number for number fields, text otherwise', () => {
    expect(coerceFormValue('client', 'phone', undefined)).toEqual({ ok: true, value: null });
    expect(coerceFormValue('client', 'phone', '555-0100')).toEqual({ ok: true, value: '555-0100' });
    expect(coerceFormValue('assignment_rate', 'payRateCents', '2,940')).toEqual({ ok: true, value: 2940 });
    expect(coerceFormValue('assignment_rate', 'otPayRateCents', '4410')).toEqual({ ok: true, value: 4410 });
    expect(coerceFormValue('time_entry', 'regularHours', '7.5')).toEqual({ ok: true, value: 7.5 });
    const bad = coerceFormValue('assignment_rate', 'payRateCents', '$29.40');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.reason).toContain('integer cents');
  });
});

describe('pay data', () => {
  it('is the money a client never sees: pay rates, not bill rates or invoice totals', () => {
    expect(isPayData('assignment_rate', 'payRateCents')).toBe(true);
    expect(isPayData('assignment_rate', 'dtPayRateCents')).toBe(true);
    expect(isPayData('requisition', 'payRateCents')).toBe(true);
    expect(isPayData('assignment_rate', 'billRateCents')).toBe(false);
    expect(isPayData('invoice', 'totalCents')).toBe(false);
    expect(isPayData('client', 'phone')).toBe(false);
    expect(isPayData('planet', 'payRateCents')).toBe(false);
  });

  it('is masked in a diff unless asked for', () => {
    const diff = [{ field: 'payRateCents', from: 2500, to: 2600, result: 'applied' as const }];
    expect(diffList('assignment_rate', diff, false).value).not.toContain('2600');
    expect(diffList('assignment_rate', diff, true).value).toContain('<code>2600</code> <span class="muted">($26.00)</span>');
  });
});
