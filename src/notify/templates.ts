import { PORTAL_EVENT_TYPES, type PortalEventType } from '../model/index.ts';
import type { Repos, TemplateRow } from '../store/index.ts';

/**
 * E-mail templates: defaults here in code, ops' edits in `notification_templates` (one row per
 * event type, or `digest`); deleting the row restores the default. A template is three strings
 * (subject, plain text, HTML) with `{{name}}` placeholders and `{{#name}}…{{/name}}` sections shown
 * only when `name` has a value. Values are escaped for HTML in the HTML part and made single-line
 * in the subject; a template can never reach a value the renderer was not given.
 */

export type TemplateKey = PortalEventType | 'digest';
export const TEMPLATE_KEYS: readonly TemplateKey[] = [...PORTAL_EVENT_TYPES, 'digest'];
export type TemplateVars = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Template {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SUBJECTS: Readonly<Record<PortalEventType, string>> = {
  'time.submitted': 'Time to approve: {{hours}} h on {{workDate}}{{#worksiteName}} at {{worksiteName}}{{/worksiteName}}',
  'time.approved': 'Time approved: {{hours}} h on {{workDate}}',
  'time.rejected': 'Time rejected: {{hours}} h on {{workDate}}',
  'time.disputed': 'Time disputed: {{workDate}}',
  'time.corrected': 'Time corrected: {{workDate}}',
  'time.needs_approver': 'A time entry has no approver',
  'time.reminder': 'Reminder: time waits for your approval',
  'time.escalated': 'Escalated: time waits for approval',
  'requisition.created': 'New requisition: {{title}}',
  'requisition.changed': 'Requisition changed: {{title}}',
  'document.added': 'New document: {{title}}',
  'comment.added': 'New comment on {{entity}}',
  'invoice.issued': 'Invoice issued{{#number}}: {{number}}{{/number}}',
  'sync.issue': 'Sync issue needs ops: {{summary}}',
};

function defaultFor(key: TemplateKey): Template {
  if (key === 'digest') {
    return {
      subject: 'Waiting for you on {{localDate}}: {{count}} item(s)',
      text: 'Good morning,\n\nThis is what waits for you today ({{localDate}}):\n\n{{items}}\n\nOpen the portal to act on them.\n',
      html: '<p>Good morning,</p><p>This is what waits for you today ({{localDate}}):</p><ul>{{itemsHtml}}</ul><p>Open the portal to act on them.</p>',
    };
  }
  const subject = SUBJECTS[key];
  return {
    subject,
    text:
      `${subject}\n\n{{#workDate}}Work date: {{workDate}}\n{{/workDate}}{{#hours}}Hours: {{hours}}\n{{/hours}}{{#assignmentTitle}}Assignment: {{assignmentTitle}}\n{{/assignmentTitle}}` +
      '{{#comment}}Comment: {{comment}}\n{{/comment}}Record: {{entity}} {{recordId}}\n' +
      '{{#approveUrl}}\nApprove it (you will be asked to confirm): {{approveUrl}}\nThe link works once and expires in 7 days.\n{{/approveUrl}}',
    html:
      `<p>${subject}</p><ul>{{#workDate}}<li>Work date: {{workDate}}</li>{{/workDate}}{{#hours}}<li>Hours: {{hours}}</li>{{/hours}}` +
      '{{#assignmentTitle}}<li>Assignment: {{assignmentTitle}}</li>{{/assignmentTitle}}{{#comment}}<li>Comment: {{comment}}</li>{{/comment}}<li>Record: {{entity}} {{recordId}}</li></ul>' +
      '{{#approveUrl}}<p><a href="{{approveUrl}}">Approve this time</a> (you will be asked to confirm; the link works once and expires in 7 days).</p>{{/approveUrl}}',
  };
}

export function defaultTemplate(key: TemplateKey): Template {
  return defaultFor(key);
}

export function isTemplateKey(key: string): key is TemplateKey {
  return (TEMPLATE_KEYS as readonly string[]).includes(key);
}

/** The template in force: ops' edit when there is one, else the default. */
export async function templateFor(repos: Repos, key: TemplateKey): Promise<Template & { edited: boolean; row: TemplateRow | null }> {
  const row = await repos.notifications.template(key);
  return row ? { subject: row.subject, text: row.text, html: row.html, edited: true, row } : { ...defaultFor(key), edited: false, row: null };
}

/** Keys that may name money or internal notes: dropped from any event's facts before rendering. */
const SENSITIVE_KEY = /rate|pay|margin|cents|salary|note|internal|ssn|dob|bank/i;

/** The event facts a template may show. */
export function safeVars(data: TemplateVars): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(data)) if (!SENSITIVE_KEY.test(k) && v !== undefined) out[k] = v;
  return out;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const present = (v: TemplateVars[string]): boolean => v !== undefined && v !== null && v !== '' && v !== false;

function fill(template: string, vars: TemplateVars, encode: (s: string) => string, raw: ReadonlySet<string>): string {
  const sections = template.replace(/\{\{#([\w.]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_m, name: string, inner: string) => (present(vars[name]) ? inner : ''));
  return sections.replace(/\{\{([\w.]+)\}\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined || v === null) return '';
    return raw.has(name) ? String(v) : encode(String(v));
  });
}

/**
 * Renders a template. `rawHtml` names variables that are already safe HTML built by the caller
 * from escaped parts (the digest's item list); every other value is escaped in the HTML part.
 */
export function render(t: Template, vars: TemplateVars, rawHtml: ReadonlySet<string> = new Set()): { subject: string; text: string; html: string } {
  return {
    subject: fill(t.subject, vars, (s) => s.replace(/[\r\n]+/g, ' '), new Set()).replace(/[\r\n]+/g, ' ').slice(0, 250),
    text: fill(t.text, vars, (s) => s, new Set()),
    html: fill(t.html, vars, escapeHtml, rawHtml),
  };
}

export { escapeHtml };
