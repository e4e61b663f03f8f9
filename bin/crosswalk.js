#!/usr/bin/env node
// Runs the TypeScript sources through tsx: one code path for the CLI, the demo, tests and the image.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
