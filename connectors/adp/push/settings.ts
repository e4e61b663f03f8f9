import { ConnectorConfigError, type ConnectorContext } from '../../kit/index.ts';

/**
 * The firm's ADP pay data settings, from the system's `options` in the config file. Earning codes
 * are set up per ADP client (docs/vendors.md §4.3: "client-specific"): R and O are the doc's
 * examples; D for double time is a guess every firm should check against its own code list.
 */
export interface PayDataSettings {
  readonly earningCodes: { readonly regular: string; readonly overtime: string; readonly doubleTime: string };
  /** First day of the weekly pay period, 0 = Sunday (the doc's example batch starts on a Sunday). */
  readonly weekStartsOn: number;
  /** The batch id is this prefix and the period's first day (`crosswalk-week-2025-07-13`). */
  readonly jobIdPrefix: string;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function payDataSettings(ctx: ConnectorContext): PayDataSettings {
  const options = ctx.options ?? {};
  const text = (key: string, fallback: string): string => {
    const value = options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '') throw ConnectorConfigError.forSystem(ctx.systemId, `options.${key} must be a non-empty text`, 'misconfigured');
    return value.trim();
  };
  const day = text('payPeriodStartsOn', 'sunday').toLowerCase();
  const weekStartsOn = DAYS.indexOf(day);
  if (weekStartsOn < 0) throw ConnectorConfigError.forSystem(ctx.systemId, `options.payPeriodStartsOn must be a day of the week, not ${day}`, 'misconfigured');
  return {
    earningCodes: { regular: text('earningCodeRegular', 'R'), overtime: text('earningCodeOvertime', 'O'), doubleTime: text('earningCodeDoubleTime', 'D') },
    weekStartsOn,
    jobIdPrefix: text('payrollProcessingJobPrefix', 'crosswalk-week-'),
  };
}

/** The first day (ISO date) of the weekly pay period holding `workDate`. */
export function periodStart(workDate: string, weekStartsOn: number): string {
  const day = Date.parse(`${workDate}T00:00:00Z`);
  const back = (new Date(day).getUTCDay() - weekStartsOn + 7) % 7;
  return new Date(day - back * 86_400_000).toISOString().slice(0, 10);
}
