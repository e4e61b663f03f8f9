import { describe, expect, it } from 'vitest';
import { defaultTemplate, DEFAULT_RULES, localClock, render, RuleTable, safeVars } from '../../src/notify/index.ts';

describe('templates', () => {
  it('escapes every value in the HTML part, keeps the text part plain, and makes the subject one line', () => {
    const out = render({ subject: 'Hi {{name}}', text: 'Dear {{name}}', html: '<p>Dear {{name}}</p>' }, { name: '<script>x</script>\r\nBcc: a@b' });
    expect(out.html).toBe('<p>Dear &lt;script&gt;x&lt;/script&gt;\r\nBcc: a@b</p>');
    expect(out.text).toBe('Dear <script>x</script>\r\nBcc: a@b');
    expect(out.subject).toBe('Hi <script>x</script> Bcc: a@b');
  });

  it('shows a section only when its value is there, and an unknown placeholder as nothing', () => {
    const t = { subject: 's', text: '{{#url}}Go: {{url}}{{/url}}|{{missing}}|', html: 'h' };
    expect(render(t, { url: 'https://x.test/a' }).text).toBe('Go: https://x.test/a||');
    expect(render(t, { url: null }).text).toBe('||');
  });

  it('drops facts whose names may carry money or notes before any template sees them', () => {
    expect(safeVars({ hours: 8, payRateCents: 1, billRate: 2, marginPct: 3, note: 'x', internalComment: 'y', workDate: '2026-03-02' })).toEqual({ hours: 8, workDate: '2026-03-02' });
  });

  it('every default template has a plain-text part and mentions no rate', () => {
    for (const key of [...Object.keys(DEFAULT_RULES), 'digest'] as const) {
      const t = defaultTemplate(key as Parameters<typeof defaultTemplate>[0]);
      expect(t.text.trim().length, key).toBeGreaterThan(0);
      expect(`${t.subject}${t.text}${t.html}`, key).not.toMatch(/rate|margin/i);
    }
  });
});

describe('rules', () => {
  it('a client row overrides an edited default, which overrides the code', () => {
    const row = (scope: string, role: string, eventType: string, enabled: boolean) => ({ id: 'x', scope, role, eventType, enabled, updatedAt: '', updatedBy: '' });
    const rows = [row('*', 'billing', 'time.submitted', true), row('c1', 'approver', 'time.submitted', false), row('c2', 'hr', 'time.submitted', true)];
    expect(new RuleTable(rows, 'c1').roles('time.submitted')).toEqual(['billing', 'addressee']);
    expect(new RuleTable(rows, null).roles('time.submitted')).toEqual(['approver', 'billing', 'addressee']);
    expect(new RuleTable([], 'c1').roles('sync.issue')).toEqual(['ops']);
  });
});

describe('digest clock', () => {
  it('reads the local date and hour in the worksite zone, across the date line of UTC', () => {
    expect(localClock(new Date('2026-03-03T03:30:00.000Z'), 'America/Los_Angeles')).toEqual({ date: '2026-03-02', hour: 19 });
    expect(localClock(new Date('2026-03-03T03:30:00.000Z'), 'Not/AZone')).toEqual({ date: '2026-03-02', hour: 22 });
  });
});
