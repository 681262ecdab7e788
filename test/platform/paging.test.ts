// The shared page walk under every Platform list lookup (src/platform/paging.ts): it follows the
// cursor to the last page, stops reading once a lookup has its match, and stops at the bound when
// a server keeps handing out cursors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allOfPages, findInPages, pagesOf, type Page } from '../../src/platform/paging.js';

/** Three pages of two numbers each (0..5), cursors 1 and 2; records the cursors it was asked for. */
function threePages(asked: (number | undefined)[]) {
  return async (cursor: number | undefined): Promise<Page<number, number>> => {
    asked.push(cursor);
    const page = cursor ?? 0;
    return { items: [page * 2, page * 2 + 1], next: page < 2 ? page + 1 : undefined };
  };
}

describe('Platform list paging', () => {
  it('reads every page, first with no cursor, then each next cursor, up to the last page', async () => {
    const asked: (number | undefined)[] = [];
    assert.deepEqual(await allOfPages(pagesOf(threePages(asked), 50)), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(asked, [undefined, 1, 2]);
  });

  it('stops reading at the page that holds the match, and answers null after the last page', async () => {
    const asked: (number | undefined)[] = [];
    assert.equal(await findInPages(pagesOf(threePages(asked), 50), (n) => n === 3), 3);
    assert.deepEqual(asked, [undefined, 1]);
    assert.equal(await findInPages(pagesOf(threePages([]), 50), (n) => n === 9), null);
  });

  it('stops at the bound when the server never says the last page', async () => {
    let reads = 0;
    const endless = async (cursor: string | undefined): Promise<Page<string, string>> => {
      reads++;
      return { items: [cursor ?? 'first'], next: `after-${reads}` };
    };
    assert.equal((await allOfPages(pagesOf(endless, 4))).length, 4);
    assert.equal(reads, 4);
  });
});
