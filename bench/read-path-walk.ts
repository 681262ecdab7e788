// A client paging through GET /exports the only way the API allows: following nextCursor from
// page 1. Gives the cursor of a deep page (to time that page alone afterwards) and the latency of
// every page on the way, which shows how a page's cost grows with its depth.
import { Pool } from 'undici';

export interface WalkResult {
  /** The cursor that fetches page `page` (null for page 1). */
  cursor: string | null;
  seconds: number;
  /** Latency of each page fetched on the way, page 1 first. */
  pageMs: number[];
}

interface PageBody {
  items: { id: string }[];
  nextCursor: string | null;
}

/** Fetches pages 1 .. page-1 of `listPath` (which has a query string) and returns page's cursor. */
export async function walkToPage(url: string, headers: Record<string, string>, listPath: string, page: number): Promise<WalkResult> {
  const pool = new Pool(url, { connections: 1 });
  const pageMs: number[] = [];
  const started = performance.now();
  let cursor: string | null = null;
  try {
    for (let n = 1; n < page; n++) {
      const t0 = performance.now();
      const response = await pool.request({ method: 'GET', path: cursor === null ? listPath : `${listPath}&cursor=${cursor}`, headers });
      const body = (await response.body.json()) as PageBody;
      pageMs.push(performance.now() - t0);
      if (response.statusCode !== 200) throw new Error(`page ${n} of ${listPath}: ${response.statusCode} ${JSON.stringify(body)}`);
      if (body.nextCursor === null) throw new Error(`${listPath} has only ${n} pages, fewer than ${page}`);
      cursor = body.nextCursor;
    }
  } finally {
    await pool.close();
  }
  return { cursor, seconds: Math.round((performance.now() - started) / 100) / 10, pageMs };
}

/** The path of page `page` given its cursor. */
export function pagePath(listPath: string, cursor: string | null): string {
  return cursor === null ? listPath : `${listPath}&cursor=${cursor}`;
}
