/**
 * How a cell appears in an error report: masked, then shortened. Nine or more digits in a row
 * (single spaces between them allowed, as account numbers are often grouped), or the SSN shape
 * 123-45-6789, look like an SSN, an account or a routing number: every one of their digits becomes
 * `#`. No full number of that kind ever reaches a report, a log or an errors CSV. Dates, invoice numbers and phone numbers written with dashes stay readable.
 */
const LONG_DIGIT_RUN = /\d(?: ?\d){8,}|(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/g;

/** Longest excerpt of a cell kept in a report, in characters. */
export const MAX_EXCERPT = 40;

export function maskDigits(value: string): string {
  return value.replace(LONG_DIGIT_RUN, (run) => run.replace(/\d/g, '#'));
}

/** The masked, shortened form of a cell for reports; null stays null. */
export function excerpt(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const masked = maskDigits(value);
  const chars = [...masked];
  return chars.length > MAX_EXCERPT ? `${chars.slice(0, MAX_EXCERPT - 1).join('')}…` : masked;
}
