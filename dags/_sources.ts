/**
 * Configuration for `ingest_sources.ts` (a helper module: files starting with "_" are not DAG
 * files). In a real project this could be read from JSON or YAML.
 */
export interface Source {
  readonly name: string;
  readonly schedule: string;
  readonly table: string;
  readonly connection: string;
}

export const SOURCES: readonly Source[] = [
  { name: 'crm', schedule: '0 3 * * *', table: 'crm.accounts', connection: 'crm_db' },
  { name: 'billing', schedule: '30 3 * * *', table: 'billing.invoices', connection: 'billing_db' },
  { name: 'support', schedule: '0 */6 * * *', table: 'support.tickets', connection: 'support_api' },
];
