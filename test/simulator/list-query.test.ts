// Parsing and rendering of Flow Service list queries (shared with the runs listing).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FLOW_SERVICE_LIST_DEFAULTS, InvalidListQueryError, parseListQuery, parsePropertyFilter, renderListPage } from '../../packages/stand-ins/src/simulator/flow-service/list-query.js';
import { decodeContinuation, encodeContinuation } from '../../packages/stand-ins/src/simulator/store/continuation.js';

describe('parsePropertyFilter', () => {
  test('operators, exists and not-exists', () => {
    assert.deepEqual(parsePropertyFilter('name==my flow'), { path: 'name', op: '==', value: 'my flow' });
    assert.deepEqual(parsePropertyFilter('sourceConnectionIds[]==abc'), { path: 'sourceConnectionIds[]', op: '==', value: 'abc' });
    assert.deepEqual(parsePropertyFilter('metrics.durationSummary.startedAtUTC>1593134665781'), { path: 'metrics.durationSummary.startedAtUTC', op: '>', value: '1593134665781' });
    assert.deepEqual(parsePropertyFilter('createdAt>=5'), { path: 'createdAt', op: '>=', value: '5' });
    assert.deepEqual(parsePropertyFilter('state!=enabled'), { path: 'state', op: '!=', value: 'enabled' });
    assert.deepEqual(parsePropertyFilter('description'), { path: 'description', op: 'exists' });
    assert.deepEqual(parsePropertyFilter('!description'), { path: 'description', op: 'not-exists' });
    assert.deepEqual(parsePropertyFilter('name==a==b'), { path: 'name', op: '==', value: 'a==b' }, 'the first operator splits');
    assert.throws(() => parsePropertyFilter('name=x'), InvalidListQueryError);
  });
});

describe('parseListQuery', () => {
  test('repeated property, limit clamped to the maximum, orderby, count, token', () => {
    const query = parseListQuery({ property: ['flowId==f1', 'metrics.statusSummary.status==failed'], limit: '500', orderby: '-createdAt', count: 'true', continuationToken: 'abc' }, FLOW_SERVICE_LIST_DEFAULTS);
    assert.equal(query.filters.length, 2);
    assert.equal(query.limit, FLOW_SERVICE_LIST_DEFAULTS.maxLimit);
    assert.equal(query.orderBy, '-createdAt');
    assert.equal(query.count, true);
    assert.equal(query.continuationToken, 'abc');
  });

  test('defaults and errors', () => {
    const query = parseListQuery({}, { limit: 20, maxLimit: 100, orderBy: 'createdAt' });
    assert.deepEqual(query, { filters: [], limit: 20, orderBy: 'createdAt', count: false });
    assert.throws(() => parseListQuery({ limit: '0' }, FLOW_SERVICE_LIST_DEFAULTS), InvalidListQueryError);
    assert.throws(() => parseListQuery({ orderby: 'name' }, FLOW_SERVICE_LIST_DEFAULTS), InvalidListQueryError);
  });
});

describe('renderListPage and continuation tokens', () => {
  test('the next link repeats the query with the new token; last pages have no next', () => {
    const token = encodeContinuation(42);
    assert.equal(decodeContinuation(token), 42);
    assert.equal(decodeContinuation('garbage'), null);
    const page = { items: [{ id: 'a', kind: 'flow' as const, body: { id: 'a', __sim: { readyAt: 1 } }, etag: '"e"', seq: 42 }], continuationToken: token };
    const rendered = renderListPage(page, '/data/foundation/flowservice/flows', { property: ['name==x', 'state==enabled'], limit: '1', continuationToken: 'old' }, (body) => ({ id: body.id }));
    assert.deepEqual(rendered.items, [{ id: 'a' }]);
    const href = rendered._links.next?.href ?? '';
    const url = new URL(href, 'http://localhost');
    assert.equal(url.pathname, '/data/foundation/flowservice/flows');
    assert.deepEqual(url.searchParams.getAll('property'), ['name==x', 'state==enabled']);
    assert.deepEqual(url.searchParams.getAll('continuationToken'), [token]);
    assert.deepEqual(renderListPage({ items: [] }, '/x', {}, (b) => b)._links, {});
  });
});
