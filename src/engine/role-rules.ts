import type { FieldMap, Repos } from '../store/index.ts';

/**
 * For each contact–worksite role, why it crosses clients (the contact's client is not the
 * worksite's), or null. Roles are the permission boundary of the portal: one crossing role would let
 * a contact approve another client's time.
 */
export async function crossClientRoles(tx: Repos, rows: readonly FieldMap[]): Promise<Array<string | null>> {
  const contacts = await tx.canonical.getMany('contact', rows.map((r) => String(r['contactId'])));
  const worksites = await tx.canonical.getMany('worksite', rows.map((r) => String(r['worksiteId'])));
  const crossing = rows.flatMap((r) => {
    const contact = contacts.get(String(r['contactId']));
    const worksite = worksites.get(String(r['worksiteId']));
    return contact && worksite && contact.fields['clientId'] !== worksite.fields['clientId'] ? [String(contact.fields['clientId']), String(worksite.fields['clientId'])] : [];
  });
  const clients = await tx.canonical.getMany('client', crossing);
  const name = (id: unknown) => `"${String(clients.get(String(id))?.fields['name'] ?? id)}"`;
  return rows.map((r) => {
    const contact = contacts.get(String(r['contactId']));
    const worksite = worksites.get(String(r['worksiteId']));
    if (!contact || !worksite || contact.fields['clientId'] === worksite.fields['clientId']) return null;
    // Names the field first, so a CSV row error points at the Worksite ID column; client names, not ids.
    return `worksiteId: the worksite belongs to client ${name(worksite.fields['clientId'])}, the contact to client ${name(contact.fields['clientId'])}; a role never crosses clients`;
  });
}
