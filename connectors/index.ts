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

/**
 * Every header a registered connector declares secret: its webhook signature header and the
 * manifest's `redactHeaders`. The logger redacts them, so a new connector's header needs no edit
 * outside its folder.
 */
export function sensitiveHeaders(): string[] {
  const out = new Set<string>(['authorization', 'cookie']);
  for (const connector of Object.values(connectors as Record<string, Connector>)) {
    const { webhook, redactHeaders } = connector.manifest;
    if (webhook?.signatureHeader !== undefined) out.add(webhook.signatureHeader.toLowerCase());
    for (const header of redactHeaders) out.add(header.toLowerCase());
  }
  return [...out].sort();
}
