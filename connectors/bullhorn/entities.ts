import { ConnectorConfigError } from '../kit/index.ts';

/**
 * The Bullhorn entities the connector reads, and per entity how to list it (docs/vendors.md §1.2: only
 * some types are in the Lucene index, the rest are read with JPQL `query`), whether it has a
 * soft-delete flag, and the fields asked for when the caller names none.
 */

export const ENTITY_NAMES = [
  'ClientCorporation',
  'Location',
  'ClientContact',
  'JobOrder',
  'Candidate',
  'JobSubmission',
  'Placement',
  'PlacementRateCard',
] as const;
export type BullhornEntity = (typeof ENTITY_NAMES)[number];

/** Portal-side changes the hub writes back: requisitions opened in the portal, contact details, approvers. */
export const PUSHABLE: ReadonlySet<string> = new Set<BullhornEntity>(['JobOrder', 'ClientContact', 'Placement']);

export interface EntityInfo {
  readonly name: BullhornEntity;
  /** `search/{Type}` (Lucene) when true, `query/{Type}` (JPQL) otherwise. */
  readonly searchable: boolean;
  /**
   * Soft-deletable types carry `isDeleted`; ClientCorporation (immutable) and Placement
   * (hard-deleted) have no such field, and asking for it is a 400.
   */
  readonly softDelete: boolean;
  /**
   * Fields asked for when the caller gives none (`fetchByIds`, event processing, read-back after a
   * push). They cover every path the shipped mappings in mappings/bullhorn/ read — a unit test
   * holds them to it — so a record fetched by id maps as completely as one pulled.
   */
  readonly defaultFields: readonly string[];
}

const ADDRESS = ['address.address1', 'address.address2', 'address.city', 'address.state', 'address.zip'];
const STAMPS = ['dateAdded', 'dateLastModified'];

const INFO: Readonly<Record<BullhornEntity, EntityInfo>> = {
  ClientCorporation: {
    name: 'ClientCorporation', searchable: true, softDelete: false,
    defaultFields: ['id', 'name', 'status', 'phone', 'companyURL', ...ADDRESS, 'billingFrequency', 'externalID', ...STAMPS],
  },
  Location: {
    name: 'Location', searchable: false, softDelete: true,
    // customText1 carries the worksite's IANA time zone: Location has no time-zone field.
    defaultFields: ['id', 'title', 'status', ...ADDRESS, 'clientCorporation.id', 'effectiveDate', 'customText1', 'externalID', 'isDeleted', ...STAMPS],
  },
  ClientContact: {
    name: 'ClientContact', searchable: true, softDelete: true,
    defaultFields: [
      'id', 'firstName', 'lastName', 'email', 'phone', 'occupation', 'status', 'type', 'clientCorporation.id', 'externalID', 'isDeleted', ...STAMPS,
    ],
  },
  JobOrder: {
    name: 'JobOrder', searchable: true, softDelete: true,
    defaultFields: [
      'id', 'title', 'status', 'isOpen', 'employmentType', 'numOpenings', 'startDate', 'dateEnd', 'payRate', 'clientBillRate',
      'clientCorporation.id', 'clientContact.id', 'location.id', 'externalID', 'isDeleted', ...STAMPS,
    ],
  },
  Candidate: {
    name: 'Candidate', searchable: true, softDelete: true,
    defaultFields: ['id', 'firstName', 'lastName', 'email', 'phone', 'address.city', 'address.state', 'status', 'employeeType', 'externalID', 'isDeleted', ...STAMPS],
  },
  JobSubmission: {
    name: 'JobSubmission', searchable: false, softDelete: true,
    defaultFields: ['id', 'candidate.id', 'jobOrder.id', 'status', 'billRate', 'isDeleted', ...STAMPS],
  },
  Placement: {
    name: 'Placement', searchable: true, softDelete: false,
    defaultFields: [
      'id', 'status', 'dateBegin', 'dateEnd', 'candidate.id', 'jobOrder.id', 'jobOrder.title', 'location.id', 'approvingClientContact.id', ...STAMPS,
    ],
  },
  PlacementRateCard: {
    name: 'PlacementRateCard', searchable: false, softDelete: true,
    defaultFields: [
      'id', 'placement.id', 'effectiveDate', 'placementRateCardLines.id', 'placementRateCardLines.earnCode', 'placementRateCardLines.payRate',
      'placementRateCardLines.billRate', 'isDeleted', ...STAMPS,
    ],
  },
};

export function isBullhornEntity(name: string): name is BullhornEntity {
  return (ENTITY_NAMES as readonly string[]).includes(name);
}

/** The entity's listing facts; an entity the connector does not know is a configuration error. */
export function entityInfo(systemId: string, name: string): EntityInfo {
  if (!isBullhornEntity(name)) {
    throw ConnectorConfigError.forSystem(systemId, `unknown Bullhorn entity "${name}" (known: ${ENTITY_NAMES.join(', ')})`, 'misconfigured');
  }
  return INFO[name];
}
