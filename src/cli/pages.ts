// The list commands' paging: one page (the API's default size, or --limit), or every page with --all.
export interface Page<T> {
  items: T[];
  nextCursor?: string | null | undefined;
}

export async function collectPages<T>(all: boolean, fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = all ? (page.nextCursor ?? undefined) : undefined;
  } while (cursor);
  return items;
}
