-- The phone key's lookups (keyExpression 'phone' in src/store/key-sql.ts, same text) answered from an
-- index instead of normalising every row on every page of a pull. Hand-written: drizzle-kit splits an
-- index expression at its commas, so these indexes are not declared in src/store/schema/canonical.ts.
CREATE INDEX `candidates_phone` ON `candidates` (substr(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), -10));--> statement-breakpoint
CREATE INDEX `contacts_phone` ON `contacts` (substr(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), -10));
