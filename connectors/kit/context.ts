import type { HttpOptions } from './http.ts';
import type { ConnectorLogger } from './logger.ts';

/**
 * Durable key/value state per configured system, persisted by the hub. Connectors keep what must
 * survive a restart here: Bullhorn's refresh token is single-use, so losing the latest one means an
 * operator has to authorise the integration again.
 */
export interface ConnectorState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

/** Everything a connector instance gets from the hub for one configured system. */
export interface ConnectorContext {
  /** The configured system (`bullhorn`, `gusto-demo`): limiter, breaker and logs are keyed by it. */
  readonly systemId: string;
  /** From config, else the manifest's default. */
  readonly baseUrl: string;
  /** Already read from the environment by the hub (`readCredentials`); keys as the manifest names them. */
  readonly credentials: Readonly<Record<string, string>>;
  readonly state: ConnectorState;
  /** The system's `options` from the config file (vendor settings that are not secrets: ADP earning codes). @defaultValue {} */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /** Timeouts, retry policy and limiter overrides (tests shorten them). */
  readonly http?: HttpOptions;
  readonly logger: ConnectorLogger;
  /** Milliseconds since the epoch; webhook timestamp checks and token expiry use it. @defaultValue Date.now */
  readonly now?: () => number;
}

/** State kept in memory: for tests, the demo and one-shot commands. */
export function memoryState(initial: Readonly<Record<string, string>> = {}): ConnectorState & { snapshot(): Record<string, string> } {
  const values = new Map(Object.entries(initial));
  return {
    get: async (key) => values.get(key) ?? null,
    set: async (key, value) => {
      values.set(key, value);
    },
    snapshot: () => Object.fromEntries(values),
  };
}
