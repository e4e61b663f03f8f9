-- The phone key's lookups answered from an index (SQLite's migration 0010; the expression is
-- keyExpression('phone', 'postgres') in src/store/key-sql.ts, the same text). Hand-written, as in
-- SQLite: drizzle-kit splits an index expression at its commas.
CREATE INDEX candidates_phone ON candidates (right(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), 10));
--> statement-breakpoint
CREATE INDEX contacts_phone ON contacts (right(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), 10));
