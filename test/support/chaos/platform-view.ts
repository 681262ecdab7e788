// What the Platform holds, read the way any client reads it: through the simulator's own IMS and
// Flow Service HTTP API (every page of every collection), never through its database.
import {
  DEFAULT_SIMULATOR_CLIENT_ID,
  DEFAULT_SIMULATOR_CLIENT_SECRET,
  DEFAULT_SIMULATOR_ORG_ID,
} from '../../../packages/stand-ins/src/simulator/config.js';

export const platformKinds = ['connections', 'sourceConnections', 'targetConnections', 'flows', 'runs'] as const;
export type PlatformKind = (typeof platformKinds)[number];

/** The fields the invariants read; everything else of the entity is ignored. */
export interface PlatformObject {
  id: string;
  name?: string;
  state?: string;
  baseConnectionId?: string;
  params?: { datasets?: { dataSetId: string }[] };
  sourceConnectionIds?: string[];
  targetConnectionIds?: string[];
  flowId?: string;
  metrics?: { statusSummary?: { status?: string } };
}

export type PlatformSnapshot = Record<PlatformKind, PlatformObject[]>;

export interface PlatformView {
  /** Every object of one kind in the sandbox, all pages. */
  list(kind: PlatformKind): Promise<PlatformObject[]>;
  snapshot(): Promise<PlatformSnapshot>;
  counts(): Promise<Record<PlatformKind, number>>;
  /** Any gateway call (e.g. a flow action), with the gateway headers and an optional JSON body. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

const FLOW_SERVICE = '/data/foundation/flowservice';

export function platformView(simulatorUrl: string, sandbox: string): PlatformView {
  let token: string | undefined;
  const headers = async (): Promise<Record<string, string>> => {
    if (token === undefined) {
      const response = await fetch(`${simulatorUrl}/ims/token/v3`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEFAULT_SIMULATOR_CLIENT_ID,
          client_secret: DEFAULT_SIMULATOR_CLIENT_SECRET,
          scope: 'openid,AdobeID',
        }),
      });
      if (response.status !== 200) throw new Error(`IMS token: ${response.status} ${await response.text()}`);
      token = ((await response.json()) as { access_token: string }).access_token;
    }
    return {
      authorization: `Bearer ${token}`,
      'x-api-key': DEFAULT_SIMULATOR_CLIENT_ID,
      'x-gw-ims-org-id': DEFAULT_SIMULATOR_ORG_ID,
      'x-sandbox-name': sandbox,
    };
  };

  const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${simulatorUrl}${path}`, {
      method,
      headers: { ...(await headers()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const list = async (kind: PlatformKind): Promise<PlatformObject[]> => {
    const items: PlatformObject[] = [];
    let path: string | undefined = `${FLOW_SERVICE}/${kind}?limit=100&orderby=createdAt`;
    while (path !== undefined) {
      const response = await call('GET', path);
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      const page = (await response.json()) as { items: PlatformObject[]; _links?: { next?: { href?: string } } };
      items.push(...page.items);
      const next = page._links?.next?.href;
      path = next === undefined ? undefined : next.startsWith('/') ? next : `${FLOW_SERVICE}/${next}`;
    }
    return items;
  };

  const snapshot = async (): Promise<PlatformSnapshot> => {
    const entries = await Promise.all(platformKinds.map(async (kind) => [kind, await list(kind)] as const));
    return Object.fromEntries(entries) as PlatformSnapshot;
  };

  return {
    list,
    snapshot,
    async counts() {
      const snap = await snapshot();
      return Object.fromEntries(platformKinds.map((k) => [k, snap[k].length])) as Record<PlatformKind, number>;
    },
    call,
  };
}
