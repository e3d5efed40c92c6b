/**
 * The five APIs, once: what each is called, which worker serves it, which paths are its, and which
 * credential it takes. The edge routes by it, admission and the admin CLI name APIs by it, the
 * webhook events name a purchase's source by it, the local platform and the docs list it; the
 * database's lists (a purchase's source, a request limit's API, a credential's kind) are checked
 * against it by supabase/tests/api-registry.test.ts. A sixth API starts here.
 */

export interface ApiEntry {
  /** Its name in the index, the reference and the ready banner. */
  title: string;
  /** The worker's name (its wrangler.toml `name`), and the edge's service binding to it. */
  worker: string;
  binding: string;
  /** Paths that are its: each prefix itself and what lies under it; each exact path with or without a trailing slash. */
  prefixes: readonly string[];
  exact: readonly string[];
  /** The kind of credential it takes (ledger.credentials.kind). */
  credential: 'lumen_api_key' | 'operations_api_key' | 'dpd_basic' | 'kit_token' | 'oauth_consumer';
  /**
   * Whether a company's request limit for it is kept in ledger.request_limits (`admin limit set`);
   * Lumen's limit is its partnership's instead.
   */
  companyLimit: boolean;
}

export const apis = {
  lumen: {
    title: 'Lumen partner purchases',
    worker: 'purchases-lumen',
    binding: 'LUMEN',
    prefixes: ['/partners/v1'],
    exact: [],
    credential: 'lumen_api_key',
    companyLimit: false,
  },
  operations: {
    title: 'Operations function',
    worker: 'purchases-operations',
    binding: 'OPERATIONS',
    prefixes: [],
    exact: ['/functions/v1/openapi-operations'],
    credential: 'operations_api_key',
    companyLimit: true,
  },
  dpd: {
    title: 'DPD purchases',
    worker: 'purchases-dpd',
    binding: 'DPD',
    // `/` is DPD's credential check (its status call); /v2 its older paths.
    prefixes: ['/purchases', '/v2'],
    exact: ['/'],
    credential: 'dpd_basic',
    companyLimit: true,
  },
  kit: {
    title: 'Kit v4 purchases',
    worker: 'purchases-kit',
    binding: 'KIT',
    prefixes: ['/v4'],
    exact: [],
    credential: 'kit_token',
    companyLimit: true,
  },
  groupcommerce: {
    title: 'Group Commerce publisher API',
    worker: 'purchases-groupcommerce',
    binding: 'GROUPCOMMERCE',
    prefixes: ['/api/v3/publisher'],
    exact: [],
    credential: 'oauth_consumer',
    companyLimit: true,
  },
} as const satisfies Record<string, ApiEntry>;

export type ApiName = keyof typeof apis;

/** The five, in the order they are reported. */
export const apiNames = Object.keys(apis) as [ApiName, ...ApiName[]];

export type CredentialKind = (typeof apis)[ApiName]['credential'];

/** Which API's worker serves a vendor path, or null when none does. */
export function apiOfPath(path: string): ApiName | null {
  for (const name of apiNames) {
    const { prefixes, exact } = apis[name] as ApiEntry;
    if (exact.some((p) => path === p || (p !== '/' && path === `${p}/`))) return name;
    if (prefixes.some((p) => path === p || path.startsWith(`${p}/`))) return name;
  }
  return null;
}
