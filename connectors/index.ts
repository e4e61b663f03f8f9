import { adp } from './adp/index.ts';
import { bullhorn } from './bullhorn/index.ts';
import { greenhouse } from './greenhouse/index.ts';
import { gusto } from './gusto/index.ts';
import type { Connector } from './kit/index.ts';

/**
 * The static connector registry: a connector is available when it is listed here, and only then.
 * Never resolve a connector from a string-built module path.
 */
export const connectors = {
  adp,
  bullhorn,
  greenhouse,
  gusto,
} satisfies Record<string, Connector>;

export type ConnectorId = keyof typeof connectors;

export function connectorFor(id: string): Connector | undefined {
  return (connectors as Record<string, Connector>)[id];
}
