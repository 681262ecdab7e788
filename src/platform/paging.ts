// The Platform's list APIs page in three ways (Flow Service's continuation tokens, the Schema
// Registry's `start` after the last title, Segmentation's page numbers); what they share is the
// walk: read a page, follow its cursor, stop at the last page or at a bound, so that a server that
// keeps handing out cursors cannot loop a caller forever.

export interface Page<T, C> {
  items: T[];
  /** The next page's cursor; undefined on the last page. */
  next: C | undefined;
}

/** Each page's items in turn, from the first page (cursor undefined) to the last or `maxPages`. */
export async function* pagesOf<T, C>(readPage: (cursor: C | undefined) => Promise<Page<T, C>>, maxPages: number): AsyncGenerator<T[]> {
  let cursor: C | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, next } = await readPage(cursor);
    yield items;
    if (next === undefined) return;
    cursor = next;
  }
}

/** The first item that matches, reading no further page than needed; null when none does. */
export async function findInPages<T>(pages: AsyncIterable<T[]>, matches: (item: T) => boolean): Promise<T | null> {
  for await (const items of pages) {
    const found = items.find(matches);
    if (found !== undefined) return found;
  }
  return null;
}

/** Every item of every page. */
export async function allOfPages<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pages) all.push(...items);
  return all;
}
