import type { PortalMetrics } from '../../engine/time/metrics.ts';
import type { Family } from './exposition.ts';

/** Portal metrics as Prometheus families: labels are ids and fixed words only (no personal data). */
export function portalFamilies(m: PortalMetrics): Family[] {
  return [
    {
      name: 'crosswalk_time_cycle_seconds', type: 'gauge', help: 'Submitted to approved time per client and worksite (quantile 0.5 and 0.95), from the time entry histories',
      samples: m.cycleTime.flatMap((c) => [
        { labels: { client_id: c.clientId, worksite_id: c.worksiteId, quantile: '0.5' }, value: c.p50Seconds },
        { labels: { client_id: c.clientId, worksite_id: c.worksiteId, quantile: '0.95' }, value: c.p95Seconds },
      ]),
    },
    { name: 'crosswalk_time_disputes_per_100_entries', type: 'gauge', help: 'Disputes per 100 time entries, per client', samples: m.workflow.map((w) => ({ labels: { client_id: w.clientId }, value: w.disputesPer100 })) },
    { name: 'crosswalk_time_corrections_per_100_entries', type: 'gauge', help: 'Corrections (adjustments) per 100 time entries, per client', samples: m.workflow.map((w) => ({ labels: { client_id: w.clientId }, value: w.correctionsPer100 })) },
    { name: 'crosswalk_time_exceptions_waiting', type: 'gauge', help: 'Time entries in the ops exception queue, by reason', samples: m.exceptions.map((e) => ({ labels: { reason: e.reason }, value: e.waiting })) },
    { name: 'crosswalk_time_exceptions_oldest_hours', type: 'gauge', help: 'Age of the oldest time exception, by reason, in hours', samples: m.exceptions.map((e) => ({ labels: { reason: e.reason }, value: e.oldestHours })) },
    {
      name: 'crosswalk_time_reminders_total', type: 'counter', help: 'Time reminders and escalations appended, per client',
      samples: m.reminders.flatMap((r) => [{ labels: { client_id: r.clientId, kind: 'reminder' }, value: r.reminders }, { labels: { client_id: r.clientId, kind: 'escalation' }, value: r.escalations }]),
    },
    { name: 'crosswalk_portal_active_contacts_7d', type: 'gauge', help: 'Contacts that acted on time in the last 7 days, per client', samples: m.activeContacts.map((a) => ({ labels: { client_id: a.clientId }, value: a.contacts })) },
  ];
}
