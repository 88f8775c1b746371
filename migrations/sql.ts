/** SQL shared by the main and pii migrations (they may run in different databases). */
export const APP_ROLE = 'switchboard_app';

/** The app role and the tenant-setting helper. Roles are cluster-wide, so creation tolerates a race. */
export function roleSql(): string {
  return `
    DO $$ BEGIN
      CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
    CREATE OR REPLACE FUNCTION sb_org() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
  `;
}

/** Row-level security on org_id = the per-transaction tenant setting. */
export function rlsSql(tables: string[]): string {
  return tables
    .map(
      (t) => `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON ${t} USING (org_id = sb_org()) WITH CHECK (org_id = sb_org());`,
    )
    .join('\n');
}

/**
 * Runs a script statement by statement: PGlite's knex driver uses the extended protocol, which
 * takes one command at a time. Splits on top-level semicolons, outside '…', $$…$$ and -- comments.
 */
export async function runScript(knex: { raw(sql: string): PromiseLike<unknown> }, script: string): Promise<void> {
  const statements: string[] = [];
  let cur = '';
  let inQuote = false;
  let inDollar = false;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (!inQuote && !inDollar && script.startsWith('--', i)) {
      const eol = script.indexOf('\n', i);
      i = eol === -1 ? script.length : eol;
      continue;
    }
    if (!inQuote && script.startsWith('$$', i)) {
      inDollar = !inDollar;
      cur += '$$';
      i++;
      continue;
    }
    if (!inDollar && ch === "'") inQuote = !inQuote;
    if (!inQuote && !inDollar && ch === ';') {
      if (cur.trim()) statements.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) statements.push(cur.trim());
  for (const s of statements) await knex.raw(s);
}
