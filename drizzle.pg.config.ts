import { defineConfig } from 'drizzle-kit';

// The PostgreSQL migrations, from the same schema (src/store/postgres/pg-schema-entry.ts derives the
// tables): `npx drizzle-kit generate --config drizzle.pg.config.ts` writes src/store/migrations-pg.
// Run it whenever `npx drizzle-kit generate` writes a SQLite migration, so both dialects keep step.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/postgres/pg-schema-entry.ts',
  out: './src/store/migrations-pg',
});
