import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.ts';
import { ROOT } from './process.ts';

/** crosswalk.config.yaml's demoSecrets: the emulators' fixed, not-secret test credentials. */
export const EMULATOR_SECRETS: Readonly<Record<string, string>> = loadConfig({ file: join(ROOT, 'crosswalk.config.yaml'), env: {} }).demoSecrets;
