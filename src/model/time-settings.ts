import { z } from 'zod';
import { DEFAULT_PAY_PERIOD, PayPeriodSettings } from './pay-period.ts';

/** Reminder and escalation thresholds (hours after submission); per client in the store, defaults here. */
export const ReminderSettings = z.strictObject({
  reminderAfterHours: z.number().int().min(1).max(24 * 60),
  escalateAfterHours: z.number().int().min(1).max(24 * 60),
  /** Who hears of an escalation besides the approvers: the worksite's delegates (else the client admins), or the client admins. */
  escalateTo: z.enum(['delegate', 'client_admin']),
});
export type ReminderSettings = z.infer<typeof ReminderSettings>;

export const DEFAULT_REMINDERS: ReminderSettings = { reminderAfterHours: 24, escalateAfterHours: 72, escalateTo: 'delegate' };

/**
 * The time workflow's configuration (the `time:` section of the config file): pay calendars per
 * payroll system (`default` for any system not named; none at all: no cutoff is enforced) and the
 * default reminder thresholds.
 */
export const TimeWorkflowSettings = z.strictObject({
  payPeriods: z.record(z.string(), PayPeriodSettings).default({}),
  reminders: ReminderSettings.default(DEFAULT_REMINDERS),
});
export type TimeWorkflowSettings = z.infer<typeof TimeWorkflowSettings>;

export const DEFAULT_TIME_SETTINGS: TimeWorkflowSettings = { payPeriods: {}, reminders: DEFAULT_REMINDERS };

/** The pay calendar of one payroll system, or null when none is configured (no cutoff). */
export function payPeriodFor(settings: TimeWorkflowSettings, system: string): PayPeriodSettings | null {
  return settings.payPeriods[system] ?? settings.payPeriods['default'] ?? null;
}

/** A calendar for the demo and tests: Monday–Sunday weeks, 48 hours to approve. */
export const EXAMPLE_PAY_PERIOD: PayPeriodSettings = DEFAULT_PAY_PERIOD;
