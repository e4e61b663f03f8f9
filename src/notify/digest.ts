import { newId } from '../lib/ids.ts';
import type { Repos, Store } from '../store/index.ts';
import { escapeHtml } from './templates.ts';

/**
 * Daily digests: one e-mail per contact who chose `digest`, at the contact's local morning, listing
 * what waits for them (time to approve at their approver worksites, requisitions in draft or on
 * hold at their requester worksites) and the events held for them since the last one.
 *
 * The contact's time zone: the model keeps one per worksite, not per contact or client, so it is
 * the zone of the first worksite (by id) where the contact holds a role; without one,
 * `DEFAULT_TIME_ZONE`. "Morning" is the first sweep at or after `DIGEST_HOUR` local time; the
 * delivery's dedupe key `digest:<contact>:<local date>` makes it once per contact per local date,
 * however many schedulers sweep.
 */
export const DIGEST_HOUR = 7;
export const DEFAULT_TIME_ZONE = 'America/New_York';

/** The local date and hour at `at` in `timeZone` (an unknown zone reads as the default). */
export function localClock(at: Date, timeZone: string): { date: string; hour: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: DEFAULT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

async function rolesOf(repos: Repos, contactId: string): Promise<Array<{ worksiteId: string; role: string }>> {
  return (await repos.canonical.list('contact_worksite_role', { where: { contactId }, limit: 10_000 }))
    .filter((r) => r.deletedAt === null)
    .map((r) => ({ worksiteId: String(r.fields['worksiteId']), role: String(r.fields['role']) }));
}

export async function timeZoneOf(repos: Repos, contactId: string): Promise<string> {
  const sites = [...new Set((await rolesOf(repos, contactId)).map((r) => r.worksiteId))].sort();
  for (const id of sites) {
    const tz = (await repos.canonical.get('worksite', id))?.fields['timeZone'];
    if (typeof tz === 'string' && tz !== '') return tz;
  }
  return DEFAULT_TIME_ZONE;
}

/**
 * Queues today's digest for every digest contact whose local morning has come; returns how many
 * were new. Safe to run as often as you like (each sweep of the notification relay does).
 */
export async function queueDueDigests(store: Store, at: Date, hour = DIGEST_HOUR): Promise<number> {
  const due: Array<{ contactId: string; email: string; date: string; clientId: string | null }> = [];
  for (const contactId of await store.repos.notifications.digestContacts()) {
    const contact = await store.repos.canonical.get('contact', contactId);
    const email = contact?.fields['email'];
    if (!contact || contact.deletedAt !== null || contact.fields['status'] !== 'active' || typeof email !== 'string' || email === '') continue;
    const clock = localClock(at, await timeZoneOf(store.repos, contactId));
    if (clock.hour < hour) continue;
    due.push({ contactId, email, date: clock.date, clientId: typeof contact.fields['clientId'] === 'string' ? contact.fields['clientId'] : null });
  }
  if (due.length === 0) return 0;
  const now = at.toISOString();
  return store.unitOfWork((tx) =>
    tx.notifications.insertDeliveries(
      due.map((d) => ({
        id: newId(), dedupeKey: `digest:${d.contactId}:${d.date}`, eventSeq: null, eventType: 'digest', channel: 'digest', target: `contact:${d.contactId}`,
        contactId: d.contactId, subscriptionId: null, address: d.email, entity: 'contact', canonicalId: d.contactId, clientId: d.clientId, status: 'queued', localDate: d.date,
      })),
      now,
    ),
  );
}

export interface DigestContent {
  readonly items: readonly string[];
  /** Held deliveries the digest covers: marked `digested` once it is sent. */
  readonly heldIds: readonly string[];
}

/** What waits for the contact now. */
export async function digestContent(repos: Repos, contactId: string): Promise<DigestContent> {
  const items: string[] = [];
  const roles = await rolesOf(repos, contactId);
  for (const worksiteId of new Set(roles.filter((r) => r.role === 'approver').map((r) => r.worksiteId))) {
    const site = await repos.canonical.get('worksite', worksiteId);
    for (const a of await repos.canonical.list('assignment', { where: { worksiteId }, limit: 10_000 })) {
      const entries = await repos.canonical.list('time_entry', { where: { assignmentId: a.id, status: 'submitted' }, limit: 10_000 });
      for (const e of entries) {
        const hours = Number(e.fields['regularHours'] ?? 0) + Number(e.fields['overtimeHours'] ?? 0) + Number(e.fields['doubleTimeHours'] ?? 0);
        items.push(`Time to approve: ${hours} h on ${String(e.fields['workDate'])} (${String(a.fields['title'] ?? 'assignment')}, ${String(site?.fields['name'] ?? worksiteId)})`);
      }
    }
  }
  for (const worksiteId of new Set(roles.filter((r) => r.role === 'requester').map((r) => r.worksiteId))) {
    for (const status of ['draft', 'on_hold']) {
      for (const r of await repos.canonical.list('requisition', { where: { worksiteId, status }, limit: 10_000 })) {
        items.push(`Requisition needs your input (${status.replace('_', ' ')}): ${String(r.fields['title'])}`);
      }
    }
  }
  const held = await repos.notifications.held(contactId);
  for (const h of held) items.push(`Since yesterday: ${h.eventType} on ${h.entity ?? 'record'} ${h.canonicalId ?? ''}`.trim());
  return { items, heldIds: held.map((h) => h.id) };
}

export function digestVars(content: DigestContent, localDate: string): Record<string, string | number> {
  return {
    localDate,
    count: content.items.length,
    items: content.items.map((i) => `- ${i}`).join('\n'),
    itemsHtml: content.items.map((i) => `<li>${escapeHtml(i)}</li>`).join(''),
  };
}
