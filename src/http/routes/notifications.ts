import { z } from 'zod';
import { loadAccess, NOT_EVERYWHERE, scopeOf } from '../../access/policy.ts';
import { newId } from '../../lib/ids.ts';
import { Id, PORTAL_EVENT_TYPES } from '../../model/index.ts';
import {
  CLIENT_ROLES, createSubscription, DEFAULT_SCOPE, defaultTemplate, isTemplateKey, NOTIFY_ROLES, RuleTable, SubscriptionError, TEMPLATE_KEYS, templateFor,
  type NotifyRole,
} from '../../notify/index.ts';
import { DELIVERY_STATUSES, type DeliveryRow, type Repos, type SubscriptionRow } from '../../store/index.ts';
import { actorFor, principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam, Limit, opt, Single } from '../schemas/common.ts';

const DeliveryView = z.strictObject({
  id: z.string(), eventSeq: z.number().nullable(), eventType: z.string(), channel: z.string(), target: z.string(), contactId: z.string().nullable(),
  subscriptionId: z.string().nullable(), address: z.string(), entity: z.string().nullable(), canonicalId: z.string().nullable(), clientId: z.string().nullable(),
  status: z.string(), attempts: z.number(), nextAt: z.string(), lastError: z.string().nullable(), messageId: z.string().nullable(),
  localDate: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(), sentAt: z.string().nullable(),
});
const toView = (d: DeliveryRow): z.infer<typeof DeliveryView> => ({
  id: d.id, eventSeq: d.eventSeq, eventType: d.eventType, channel: d.channel, target: d.target, contactId: d.contactId, subscriptionId: d.subscriptionId,
  address: d.address, entity: d.entity, canonicalId: d.canonicalId, clientId: d.clientId, status: d.status, attempts: d.attempts, nextAt: d.nextAt,
  lastError: d.lastError, messageId: d.messageId, localDate: d.localDate, createdAt: d.createdAt, updatedAt: d.updatedAt, sentAt: d.sentAt,
});
const Deliveries = z.strictObject({ data: z.array(DeliveryView) });

const DeliveryQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channel: z.enum(['email', 'webhook', 'digest']).optional(),
  contactId: Id.optional(),
  subscriptionId: Id.optional(),
  entity: z.string().min(1).max(64).optional(),
  canonicalId: z.string().min(1).max(200).optional(),
  clientId: Id.optional(),
  limit: Limit,
});

const SubscriptionView = z.strictObject({
  id: z.string(), url: z.string(), eventTypes: z.array(z.string()), clientId: z.string().nullable(), description: z.string().nullable(),
  status: z.string(), createdAt: z.string(), createdBy: z.string(),
});
const subView = (s: SubscriptionRow): z.infer<typeof SubscriptionView> => ({ ...s, eventTypes: [...s.eventTypes] });
const NewSubscriptionBody = z.strictObject({
  url: z.string().min(8).max(2000).meta({ description: 'https, or http to loopback only; never a private address' }),
  eventTypes: z.array(z.enum([...PORTAL_EVENT_TYPES, '*'])).min(1).max(PORTAL_EVENT_TYPES.length + 1),
  clientId: Id.nullable().default(null).meta({ description: 'only events of this client; null for every client' }),
  description: z.string().max(300).nullable().default(null),
});

const TemplateView = z.strictObject({ key: z.string(), subject: z.string(), text: z.string(), html: z.string(), edited: z.boolean(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() });
const TemplateBody = z.strictObject({
  subject: z.string().min(1).max(300),
  text: z.string().min(1).max(20_000).meta({ description: 'the plain-text part: {{name}} placeholders, {{#name}}…{{/name}} sections' }),
  html: z.string().min(1).max(50_000).meta({ description: 'the HTML part; every value is escaped when it is filled in' }),
});
const KeyParam = z.strictObject({ key: z.string().min(1).max(64) });

const Role = z.enum(NOTIFY_ROLES);
const RulesQuery = z.strictObject({ clientId: Id.optional().meta({ description: 'a client: its effective rules; absent: the defaults' }) });
const RulesView = z.strictObject({
  scope: z.string(),
  rules: z.array(z.strictObject({ eventType: z.string(), roles: z.array(z.string()) })),
});
const RuleBody = z.strictObject({
  clientId: Id.nullable().meta({ description: 'the client the rule is for; null edits the defaults (ops only)' }),
  eventType: z.enum(PORTAL_EVENT_TYPES),
  role: Role,
  enabled: z.boolean(),
});

const Mode = z.enum(['immediate', 'digest', 'off']);
const PreferenceView = z.strictObject({ contactId: z.string(), mode: Mode, updatedAt: z.string().nullable() });

/**
 * Notifications (decision 0021-notifications): the delivery record per record and per contact,
 * replays, webhook subscribers, templates, rules per role and event, and each contact's own
 * preference.
 */
export function registerNotifications(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;

  api.route({
    method: 'get', path: '/api/v1/notifications/deliveries', operationId: 'listNotificationDeliveries', tag: 'notifications', access: 'notifications.read',
    summary: 'Every delivery (queued, sent, failed, bounced, dead…), filtered per record, contact, subscription or status; newest first',
    query: DeliveryQuery,
    responses: { 200: { description: 'deliveries', schema: Deliveries } },
    handler: async ({ query: q }, c) => {
      const rows = await store.repos.notifications.deliveries({
        limit: q.limit, ...opt('status', q.status), ...opt('channel', q.channel), ...opt('contactId', q.contactId), ...opt('subscriptionId', q.subscriptionId),
        ...opt('entity', q.entity), ...opt('canonicalId', q.canonicalId), ...opt('clientId', q.clientId),
      });
      return c.json({ data: rows.map(toView) });
    },
  });

  api.route({
    method: 'post', path: '/api/v1/notifications/deliveries/:id/replay', operationId: 'replayNotificationDelivery', tag: 'notifications', access: 'notifications.operate',
    summary: 'Send a delivery again (a dead letter, a bounce, or one already sent): same webhook-id, fresh attempts',
    params: IdParam, errors: ['not_found', 'refused'],
    responses: { 200: { description: 'the delivery, queued', schema: Single(DeliveryView) } },
    handler: async ({ params }, c) => {
      const row = await store.unitOfWork(async (tx) => {
        const found = await tx.notifications.delivery(params.id);
        if (!found) throw new ApiError('not_found', `delivery ${params.id} not found`);
        if (!(await tx.notifications.requeue(params.id, now()))) throw new ApiError('refused', `delivery ${params.id} is ${found.status}: only dead, failed, bounced or sent deliveries are replayed`);
        return tx.notifications.delivery(params.id);
      });
      if (!row) throw new ApiError('not_found', `delivery ${params.id} not found`);
      return c.json({ data: toView(row) });
    },
  });

  api.route({
    method: 'get', path: '/api/v1/notifications/webhooks', operationId: 'listWebhookSubscriptions', tag: 'notifications', access: 'notifications.read',
    summary: 'Outbound webhook subscribers (secrets are never shown again)',
    responses: { 200: { description: 'subscriptions', schema: z.strictObject({ data: z.array(SubscriptionView) }) } },
    handler: async (_input, c) => c.json({ data: (await store.repos.notifications.subscriptions()).map(subView) }),
  });

  api.route({
    method: 'post', path: '/api/v1/notifications/webhooks', operationId: 'createWebhookSubscription', tag: 'notifications', access: 'notifications.operate',
    summary: 'Register a webhook subscriber; the answer carries its signing secret, once',
    body: NewSubscriptionBody, idempotent: false, errors: ['invalid'],
    responses: { 201: { description: 'the subscription and its secret (whsec_…), shown once', schema: z.strictObject({ data: SubscriptionView, secret: z.string() }) } },
    handler: async ({ body }, c) => {
      const actor = actorFor(c);
      try {
        const { row, secret } = await store.unitOfWork((tx) => createSubscription(tx, body, actor, now()));
        return c.json({ data: subView(row), secret }, 201);
      } catch (err) {
        if (err instanceof SubscriptionError) throw new ApiError('invalid', err.message);
        throw err;
      }
    },
  });

  api.route({
    method: 'post', path: '/api/v1/notifications/webhooks/:id/disable', operationId: 'disableWebhookSubscription', tag: 'notifications', access: 'notifications.operate',
    summary: 'Stop delivering to a subscriber (queued deliveries to it are skipped)', params: IdParam, errors: ['not_found'],
    responses: { 200: { description: 'the subscription', schema: Single(SubscriptionView) } },
    handler: async ({ params }, c) => {
      const row = await store.unitOfWork(async (tx) => {
        if (!(await tx.notifications.setSubscriptionStatus(params.id, 'disabled'))) throw new ApiError('not_found', `subscription ${params.id} not found`);
        return tx.notifications.subscription(params.id);
      });
      if (!row) throw new ApiError('not_found', `subscription ${params.id} not found`);
      return c.json({ data: subView(row) });
    },
  });

  api.route({
    method: 'get', path: '/api/v1/notifications/templates', operationId: 'listNotificationTemplates', tag: 'notifications', access: 'notifications.read',
    summary: 'The e-mail templates in force (ops edits, else the defaults in code)',
    responses: { 200: { description: 'templates', schema: z.strictObject({ data: z.array(TemplateView) }) } },
    handler: async (_input, c) => {
      const data = [];
      for (const key of TEMPLATE_KEYS) {
        const t = await templateFor(store.repos, key);
        data.push({ key, subject: t.subject, text: t.text, html: t.html, edited: t.edited, updatedAt: t.row?.updatedAt ?? null, updatedBy: t.row?.updatedBy ?? null });
      }
      return c.json({ data });
    },
  });

  api.route({
    method: 'put', path: '/api/v1/notifications/templates/:key', operationId: 'setNotificationTemplate', tag: 'notifications', access: 'notifications.operate',
    summary: 'Edit the template of one event type (or `digest`)', params: KeyParam, body: TemplateBody, errors: ['not_found'],
    audit: { action: 'setNotificationTemplate', targetType: 'notification_template' },
    responses: { 200: { description: 'the template', schema: Single(TemplateView) } },
    handler: async ({ params, body }, c) => {
      if (!isTemplateKey(params.key)) throw new ApiError('not_found', `no template "${params.key}" (templates: ${TEMPLATE_KEYS.join(', ')})`);
      const row = { eventType: params.key, ...body, updatedAt: now(), updatedBy: actorFor(c) };
      await store.unitOfWork((tx) => tx.notifications.setTemplate(row));
      return c.json({ data: { key: params.key, subject: body.subject, text: body.text, html: body.html, edited: true, updatedAt: row.updatedAt, updatedBy: row.updatedBy } });
    },
  });

  api.route({
    method: 'post', path: '/api/v1/notifications/templates/:key/reset', operationId: 'resetNotificationTemplate', tag: 'notifications', access: 'notifications.operate',
    summary: 'Go back to the default template in code', params: KeyParam, errors: ['not_found'],
    responses: { 200: { description: 'the default template', schema: Single(TemplateView) } },
    handler: async ({ params }, c) => {
      if (!isTemplateKey(params.key)) throw new ApiError('not_found', `no template "${params.key}"`);
      const key = params.key;
      await store.unitOfWork((tx) => tx.notifications.resetTemplate(key));
      const t = defaultTemplate(key);
      return c.json({ data: { key, ...t, edited: false, updatedAt: null, updatedBy: null } });
    },
  });

  /**
   * The rules scope the caller may read or edit: staff a client inside their scope (the defaults only
   * when they see every client); a contact only a client it administers. Anything else is a 404,
   * like a missing client.
   */
  const ruleScope = async (repos: Repos, clientId: string | null, c: Parameters<typeof principalOf>[0]): Promise<string> => {
    const principal = principalOf(c);
    if (principal.kind === 'contact') {
      if (clientId === null) throw new ApiError('forbidden', 'the default rules are ops’; name your client');
      const access = await loadAccess(repos, principal, now());
      if (!access.adminClients.has(clientId)) throw new ApiError('not_found', `client ${clientId} not found`);
    } else {
      // Staff and services: a client outside their grants (or a narrowed key's client) is a 404 like
      // a missing one, and the hub-wide defaults belong to those who see every client.
      const access = await loadAccess(repos, principal, now());
      if (clientId === null) {
        if (!access.everything) throw new ApiError('forbidden', NOT_EVERYWHERE);
      } else {
        const client = await repos.canonical.getScoped('client', clientId, scopeOf(access, 'client'));
        if (!client || client.deletedAt !== null) throw new ApiError('not_found', `client ${clientId} not found`);
      }
    }
    return clientId ?? DEFAULT_SCOPE;
  };

  api.route({
    method: 'get', path: '/api/v1/notifications/rules', operationId: 'getNotificationRules', tag: 'notifications', access: 'notifications.rules.read',
    summary: 'Which roles hear which event types: the defaults, or one client’s effective rules',
    description: 'A client admin reads its own client only; any other client id is a 404.',
    query: RulesQuery, errors: ['not_found'],
    responses: { 200: { description: 'the rules', schema: Single(RulesView) } },
    handler: async ({ query }, c) => {
      const scope = await ruleScope(store.repos, query.clientId ?? null, c);
      const rows = await store.repos.notifications.rules(scope === DEFAULT_SCOPE ? [DEFAULT_SCOPE] : [DEFAULT_SCOPE, scope]);
      const table = new RuleTable(rows, scope === DEFAULT_SCOPE ? null : scope);
      return c.json({ data: { scope, rules: table.matrix() } });
    },
  });

  api.route({
    method: 'post', path: '/api/v1/notifications/rules', operationId: 'setNotificationRule', tag: 'notifications', access: 'notifications.rules',
    summary: 'Switch one role on or off for one event type, for the defaults (ops) or a client (ops, or that client’s admin)',
    body: RuleBody, errors: ['not_found', 'invalid'],
    responses: { 200: { description: 'the rules after the change', schema: Single(RulesView) } },
    handler: async ({ body }, c) => {
      const principal = principalOf(c);
      if (principal.kind === 'contact' && !CLIENT_ROLES.has(body.role)) throw new ApiError('invalid', `role ${body.role} is internal: only ops set it`);
      const actor = actorFor(c);
      const data = await store.unitOfWork(async (tx) => {
        const scope = await ruleScope(tx, body.clientId, c);
        await tx.notifications.setRule({ id: newId(), scope, role: body.role satisfies NotifyRole, eventType: body.eventType, enabled: body.enabled, updatedAt: now(), updatedBy: actor });
        const rows = await tx.notifications.rules(scope === DEFAULT_SCOPE ? [DEFAULT_SCOPE] : [DEFAULT_SCOPE, scope]);
        return { scope, rules: new RuleTable(rows, scope === DEFAULT_SCOPE ? null : scope).matrix() };
      });
      return c.json({ data });
    },
  });

  const selfContact = (c: Parameters<typeof principalOf>[0]): string => {
    const principal = principalOf(c);
    if (principal.kind !== 'contact') throw new ApiError('forbidden', 'notification preferences belong to client contacts');
    return principal.id;
  };

  api.route({
    method: 'get', path: '/api/v1/me/notification-preferences', operationId: 'getMyNotificationPreferences', tag: 'notifications', access: 'notifications.self.read',
    summary: 'Your notification preference: immediate, daily digest, or off',
    responses: { 200: { description: 'the preference', schema: Single(PreferenceView) } },
    handler: async (_input, c) => {
      const contactId = selfContact(c);
      return c.json({ data: { contactId, ...(await store.repos.notifications.preference(contactId)) } });
    },
  });

  api.route({
    method: 'put', path: '/api/v1/me/notification-preferences', operationId: 'setMyNotificationPreferences', tag: 'notifications', access: 'notifications.self',
    summary: 'Set your notification preference', body: z.strictObject({ mode: Mode }),
    audit: { action: 'setMyNotificationPreferences', targetType: 'contact' },
    responses: { 200: { description: 'the preference', schema: Single(PreferenceView) } },
    handler: async ({ body }, c) => {
      const contactId = selfContact(c);
      const at = now();
      await store.unitOfWork((tx) => tx.notifications.setPreference(contactId, body.mode, at));
      return c.json({ data: { contactId, mode: body.mode, updatedAt: at } });
    },
  });

  api.route({
    method: 'get', path: '/api/v1/me/notifications', operationId: 'listMyNotifications', tag: 'notifications', access: 'notifications.self.read',
    summary: 'The notifications sent (or held for your digest) to you, newest first',
    query: z.strictObject({ limit: Limit }),
    responses: { 200: { description: 'deliveries', schema: Deliveries } },
    handler: async ({ query }, c) => {
      const contactId = selfContact(c);
      return c.json({ data: (await store.repos.notifications.deliveries({ contactId, limit: query.limit })).map(toView) });
    },
  });
}
