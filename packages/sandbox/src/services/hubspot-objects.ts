/**
 * HubSpot CRM object shapes over the customer world: `{id, properties, createdAt, updatedAt,
 * archived}` with string property values, the `associations` block of v3 reads, v4 association
 * rows, owners and the deal pipeline — as api.hubapi.com answers them.
 */
import { DEAL_STAGES } from '../seed/customer-deals.ts';
import type { CustomerIndex } from '../seed/customer-index.ts';
import type { Company, Contact, Deal, Owner } from '../seed/customers.ts';
import {
  ALWAYS_RETURNED,
  DEFAULT_PROPERTIES,
  type ObjectType,
  PROPERTY_DEFS,
  type PropertyDef,
  propertyString,
} from './hubspot-properties.ts';

export type CrmRecord = Company | Contact | Deal;

const ALIASES: Record<string, ObjectType> = {
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
};

export function objectTypeOf(name: string): ObjectType | undefined {
  return ALIASES[name.toLowerCase()];
}

export function definitions(type: ObjectType): Map<string, PropertyDef<CrmRecord>> {
  return new Map((PROPERTY_DEFS[type] as readonly PropertyDef<CrmRecord>[]).map((d) => [d[0], d]));
}

const DEFINITIONS = {
  companies: definitions('companies'),
  contacts: definitions('contacts'),
  deals: definitions('deals'),
};

export function recordsOf(type: ObjectType, index: CustomerIndex): CrmRecord[] {
  return index.world[type];
}

export function recordById(type: ObjectType, id: string, index: CustomerIndex): CrmRecord | undefined {
  return index[type].get(id);
}

/** The v3 label and v4 type id of the default association from one object type to another. */
const ASSOCIATION_TYPES: Record<string, { label: string; typeId: number }> = {
  'contacts>companies': { label: 'contact_to_company', typeId: 1 },
  'companies>contacts': { label: 'company_to_contact', typeId: 2 },
  'deals>contacts': { label: 'deal_to_contact', typeId: 3 },
  'contacts>deals': { label: 'contact_to_deal', typeId: 4 },
  'deals>companies': { label: 'deal_to_company', typeId: 5 },
  'companies>deals': { label: 'company_to_deal', typeId: 6 },
};

export function associatedIds(
  from: ObjectType,
  record: CrmRecord,
  to: ObjectType,
  index: CustomerIndex,
): string[] {
  if (from === 'companies') {
    const c = record as Company;
    return to === 'contacts' ? c.contactIds : to === 'deals' ? c.dealIds : [];
  }
  if (from === 'contacts') {
    const c = record as Contact;
    return to === 'companies'
      ? [c.companyId]
      : to === 'deals'
        ? (index.dealsByContact.get(c.id) ?? []).map((d) => d.id)
        : [];
  }
  const d = record as Deal;
  return to === 'companies' ? [d.companyId] : to === 'contacts' ? d.contactIds : [];
}

export function associationType(from: ObjectType, to: ObjectType): { label: string; typeId: number } {
  return ASSOCIATION_TYPES[`${from}>${to}`] ?? { label: `${from}_to_${to}`, typeId: 0 };
}

/** v4 rows: `{toObjectId, associationTypes}`. */
export function v4Associations(from: ObjectType, record: CrmRecord, to: ObjectType, index: CustomerIndex) {
  const { typeId } = associationType(from, to);
  return associatedIds(from, record, to, index).map((id) => ({
    toObjectId: Number(id),
    associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }],
  }));
}

export interface RenderOptions {
  properties?: string[];
  associations?: ObjectType[];
}

export function renderObject(
  type: ObjectType,
  record: CrmRecord,
  index: CustomerIndex,
  options: RenderOptions = {},
) {
  const defs = DEFINITIONS[type];
  const names = options.properties?.length
    ? [...new Set([...options.properties, ...ALWAYS_RETURNED[type]])].filter((n) => defs.has(n))
    : DEFAULT_PROPERTIES[type];
  const properties: Record<string, string | null> = {};
  for (const name of names.sort()) {
    const def = defs.get(name);
    if (def) properties[name] = propertyString(def[2](record, index));
  }
  const created = record.createdAt.toISOString();
  const updated = record.updatedAt.toISOString();
  const associations = options.associations?.length
    ? Object.fromEntries(
        options.associations.map((to) => [
          to,
          {
            results: associatedIds(type, record, to, index).map((id) => ({
              id,
              type: associationType(type, to).label,
            })),
          },
        ]),
      )
    : undefined;
  return {
    id: record.id,
    properties,
    createdAt: created,
    updatedAt: updated,
    archived: false,
    ...(associations ? { associations } : {}),
  };
}

export function renderOwner(owner: Owner) {
  return {
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: owner.createdAt.toISOString(),
    updatedAt: owner.createdAt.toISOString(),
    archived: false,
    teams: [{ id: owner.teamId, name: owner.teamName, primary: true }],
  };
}

export function renderPipeline(createdAt: Date) {
  const at = createdAt.toISOString();
  return {
    label: 'Sales Pipeline',
    displayOrder: 0,
    id: 'default',
    stages: DEAL_STAGES.map((s, i) => ({
      label: s.label,
      displayOrder: i,
      metadata: { isClosed: String(s.closed), probability: String(s.probability) },
      id: s.id,
      createdAt: at,
      updatedAt: at,
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
    createdAt: at,
    updatedAt: at,
    archived: false,
  };
}

const GROUPS: Record<ObjectType, string> = {
  companies: 'companyinformation',
  contacts: 'contactinformation',
  deals: 'dealinformation',
};

/** `GET /crm/v3/properties/{type}`: the property catalogue, as HubSpot describes it. */
export function renderPropertyCatalogue(type: ObjectType, createdAt: Date) {
  const fieldType = {
    string: 'text',
    number: 'number',
    datetime: 'date',
    enumeration: 'select',
    bool: 'booleancheckbox',
  };
  return [...DEFINITIONS[type].values()].map(([name, t]) => ({
    updatedAt: createdAt.toISOString(),
    createdAt: createdAt.toISOString(),
    name,
    label: name
      .replace(/^hs_/, '')
      .replace(/_/g, ' ')
      .replace(/^./, (c) => c.toUpperCase()),
    type: t === 'bool' ? 'enumeration' : t,
    fieldType: fieldType[t],
    description: '',
    groupName: GROUPS[type],
    options: [],
    displayOrder: -1,
    calculated: name.startsWith('hs_') || name.startsWith('num_'),
    externalOptions: false,
    hasUniqueValue: name === 'hs_object_id',
    hidden: false,
    hubspotDefined: !['customer_tier', 'customer_segment', 'deal_motion'].includes(name),
    modificationMetadata: {
      archivable: true,
      readOnlyDefinition: true,
      readOnlyValue: name.startsWith('hs_'),
    },
    formField: !name.startsWith('hs_'),
  }));
}
