import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` writes a new SQL migration into src/store/migrations when the schema
// changes; migrations are committed and applied by `crosswalk db migrate`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema/index.ts',
  out: './src/store/migrations',
});
