import { z } from 'zod';
import { actorOf } from '../../access/principal.ts';
import { listTimeExceptions } from '../../engine/time/exceptions.ts';
import { remindAll } from '../../engine/time/reminders.ts';
import { portalMetrics } from '../../engine/time/metrics.ts';
import { ApiError } from '../errors.ts';
import { principalOf } from '../caller.ts';
import { DEFAULT_REMINDERS, Id, ReminderSettings } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { RouteRegistrar } from '../route.ts';

const ExceptionView = z.strictObject({
  timeEntryId: z.string(),
  reason: z.enum(['no_approver', 'held_after_cutoff']),
  workDate: z.string(),
  worksiteId: z.string().nullable(),
  clientId: z.string().nullable(),
  since: z.string().nullable(),
  waitingHours: z.number().nullable(),
  heldUntil: z.string().nullable(),
});

/** Ops views of the time workflow: the exception queue (and, below, remind all). */
export function registerTimeOps(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  api.route({
    method: 'get',
    path: '/api/v1/exceptions/time',
    operationId: 'listTimeExceptions',
    summary: 'The ops exception queue for time: submitted entries nobody can approve, approvals held after a cutoff',
    tag: 'ops',
    access: 'time.ops_read',
    query: z.strictObject({ clientId: Id.optional() }),
    responses: { 200: { description: 'every exception, oldest first per kind', schema: z.strictObject({ data: z.array(ExceptionView) }) } },
    handler: async ({ query }, c) => c.json({ data: await listTimeExceptions(store.repos, now(), query.clientId === undefined ? {} : { clientId: query.clientId }) }),
  });
  registerTimeRemind(api, deps);
  registerTimeMetricsAndSettings(api, deps);
}

const RemindBody = z
  .strictObject({ clientId: Id.optional(), worksiteId: Id.optional() })
  .refine((b) => b.clientId !== undefined || b.worksiteId !== undefined, { message: 'name a clientId or a worksiteId', path: ['clientId'] });

/** Ops "remind all" for a client or worksite. */
export function registerTimeRemind(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  api.route({
    method: 'post',
    path: '/api/v1/ops/remind',
    operationId: 'remindAllTime',
    summary: 'Remind the approvers of every waiting time entry of a client or worksite (appends time.reminder events)',
    tag: 'ops',
    access: 'time.operate',
    body: RemindBody,
    errors: ['invalid'],
    responses: { 200: { description: 'how many reminders were appended', schema: z.strictObject({ data: z.strictObject({ count: z.number() }) }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      const scope = { ...(body.clientId === undefined ? {} : { clientId: body.clientId }), ...(body.worksiteId === undefined ? {} : { worksiteId: body.worksiteId }) };
      return c.json({ data: { count: await remindAll(store, scope, actorOf(principal), now()) } });
    },
  });
}

const PortalMetricsView = z.strictObject({
  cycleTime: z.array(z.strictObject({ clientId: z.string(), worksiteId: z.string(), approvals: z.number(), p50Seconds: z.number(), p95Seconds: z.number() })),
  workflow: z.array(z.strictObject({ clientId: z.string(), entries: z.number(), disputesPer100: z.number(), correctionsPer100: z.number() })),
  exceptions: z.array(z.strictObject({ reason: z.string(), waiting: z.number(), oldestHours: z.number() })),
  reminders: z.array(z.strictObject({ clientId: z.string(), reminders: z.number(), escalations: z.number() })),
  activeContacts: z.array(z.strictObject({ clientId: z.string(), contacts: z.number() })),
});

const SettingsBody = ReminderSettings.extend({ clientId: Id });

/** Portal metrics (ops) and per-client reminder settings. */
export function registerTimeMetricsAndSettings(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;
  const defaults = deps.timeSettings?.reminders ?? DEFAULT_REMINDERS;
  api.route({
    method: 'get',
    path: '/api/v1/metrics/portal',
    operationId: 'getPortalMetrics',
    summary: 'Portal metrics from the histories: cycle time p50/p95, disputes and corrections per 100 entries, exceptions, reminders, active contacts',
    description: 'Ops only (decision 0018): the figures compare clients, so a client admin does not get them here. Ids only, never names.',
    tag: 'ops',
    access: 'time.ops_read',
    query: z.strictObject({ clientId: Id.optional() }),
    responses: { 200: { description: 'the figures', schema: z.strictObject({ data: PortalMetricsView }) } },
    handler: async ({ query }, c) => c.json({ data: await portalMetrics(store.repos, now(), query.clientId === undefined ? {} : { clientId: query.clientId }) }),
  });
  api.route({
    method: 'post',
    path: '/api/v1/ops/reminder-settings',
    operationId: 'setReminderSettings',
    summary: 'Set a client’s reminder and escalation thresholds (hours after submission)',
    tag: 'ops',
    access: 'time.operate',
    body: SettingsBody,
    errors: ['invalid', 'not_found'],
    responses: { 200: { description: 'the settings now in force', schema: z.strictObject({ data: SettingsBody }) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (body.escalateAfterHours < body.reminderAfterHours) throw new ApiError('invalid', 'escalateAfterHours must not come before reminderAfterHours', [{ path: 'escalateAfterHours', message: 'before the reminder' }]);
      await store.unitOfWork(async (tx) => {
        const client = await tx.canonical.get('client', body.clientId);
        if (!client || client.deletedAt !== null) throw new ApiError('not_found', `client ${body.clientId} not found`);
        await tx.time.putReminderSettings({ ...body, updatedAt: now(), updatedBy: actorOf(principal) });
      });
      return c.json({ data: body });
    },
  });
  api.route({
    method: 'get',
    path: '/api/v1/ops/reminder-settings',
    operationId: 'getReminderSettings',
    summary: 'A client’s reminder and escalation thresholds (the defaults when none are set)',
    tag: 'ops',
    access: 'time.ops_read',
    query: z.strictObject({ clientId: Id }),
    responses: { 200: { description: 'the settings in force', schema: z.strictObject({ data: SettingsBody.extend({ source: z.enum(['client', 'default']) }) }) } },
    handler: async ({ query }, c) => {
      const row = await store.repos.time.reminderSettings(query.clientId);
      const s = row ?? defaults;
      return c.json({ data: { clientId: query.clientId, reminderAfterHours: s.reminderAfterHours, escalateAfterHours: s.escalateAfterHours, escalateTo: s.escalateTo, source: row ? ('client' as const) : ('default' as const) } });
    },
  });
}
