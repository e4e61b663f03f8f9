import { z } from 'zod';

/**
 * Building blocks shared by every canonical schema. Money is integer cents, dates are ISO strings,
 * hours carry at most two decimals: types that mean the same in SQLite, Postgres, JSON and CSV.
 */

/** A canonical id: text made by the app (UUIDv7), never an autoincrement, so it survives a move to Postgres. */
export const Id = z.string().min(1).max(64);

/** Integer cents, never a float: $29.40 is 2940. */
export const Cents = z.number().int().min(0).max(1_000_000_000_00);

/** Calendar date without a time zone: work dates, start and end dates. */
export const IsoDate = z.iso.date();

/** An instant in UTC with an explicit offset or Z. */
export const IsoDateTime = z.iso.datetime({ offset: true });

/** Hours as worked, 0–24, at most two decimals (a quarter hour is 0.25). */
export const Hours = z
  .number()
  .min(0)
  .max(24)
  .refine((h) => Math.abs(Math.round(h * 100) - h * 100) < 1e-6, 'hours carry at most two decimals');

export const Email = z.email().max(254);

/** A US state or territory as its two-letter postal code. */
export const UsState = z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code such as OH');

/** Short free text: names, titles. */
export const Text = (max = 200) => z.string().trim().min(1).max(max);

/** Optional column: absent on input means null in the store. */
export const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
