/**
 * Formula neutralisation for exported text cells (OWASP "CSV injection"): a cell
 * that starts with `=`, `+`, `-`, `@`, tab, CR or LF would be run as a formula by a spreadsheet, so
 * it gets a leading apostrophe, which spreadsheets show as text. A cell that already starts with an
 * apostrophe gets one too, so the rule is reversible without guessing: remove exactly one leading
 * apostrophe from every neutralised text cell and the original value is back.
 *
 * Numbers the hub formats itself (hours, amounts) are written as numbers, never neutralised: a
 * negative adjustment stays `-12.50` and keeps working as a number.
 */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/** The documented prefix. */
export const NEUTRALISING_PREFIX = "'";

export function neutralise(text: string): string {
  const first = text[0];
  if (first === undefined) return text;
  if (first === NEUTRALISING_PREFIX || FORMULA_TRIGGERS.includes(first)) return NEUTRALISING_PREFIX + text;
  return text;
}

/** The inverse of `neutralise`, for reading a file the hub wrote. */
export function unneutralise(text: string): string {
  return text.startsWith(NEUTRALISING_PREFIX) ? text.slice(1) : text;
}
