import { createHttpClient, GuardRegistry, type HttpClient, type HttpClientConfig, type HttpOptions } from '../../connectors/kit/index.ts';
import { AutoClock } from './manual-clock.ts';
import { recordingLogger } from './test-server.ts';

let systems = 0;

export interface ClientUnderTest {
  readonly client: HttpClient;
  readonly clock: AutoClock;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly guards: GuardRegistry;
  readonly systemId: string;
  /** Another client of the same system (shares limiter and breaker), as a second job would be. */
  readonly sibling: (extra?: Partial<HttpClientConfig>) => HttpClient;
}

/** A client on virtual time with a private guard registry, so tests never share a limiter by accident. */
export function clientFor(baseUrl: string, extra: Partial<HttpClientConfig> = {}, options: HttpOptions = {}): ClientUnderTest {
  const clock = new AutoClock();
  const logger = recordingLogger();
  const guards = new GuardRegistry();
  systems += 1;
  const systemId = `test-system-${systems}`;
  const make = (more: Partial<HttpClientConfig> = {}): HttpClient =>
    createHttpClient({
      systemId,
      baseUrl,
      rateLimit: { requests: 1_000, windowMs: 1_000, resetHeader: 'X-RateLimit-Reset' },
      logger,
      ...extra,
      ...more,
      options: { clock, guards, random: () => 0.5, retry: { baseDelayMs: 100 }, timeoutMs: 2_000, ...options },
    });
  return { client: make(), clock, logger, guards, systemId, sibling: make };
}
