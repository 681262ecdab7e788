// Whether an error means "the database cannot serve us right now" (restarting, unreachable, out of
// connections, or this transaction lost a deadlock or a write conflict) rather than a bug or a bad
// query. Such failures are temporary: the API answers 503
// with Retry-After, never 500. Errors come in several shapes and this reads them all:
// - Prisma's own codes (P1001 unreachable, P1017 connection closed, P2024 pool timeout, ...);
// - P2039 "Database error" wrapping a driver-adapter error whose cause carries the SQLSTATE
//   (57P03 "the database system is starting up" during a restart);
// - @prisma/adapter-pg error kinds (DatabaseNotReachable, ConnectionClosed, SocketTimeout, ...);
// - pg's own errors (SQLSTATE class 08, 57P0x) and its plain "Connection terminated" messages;
// - Node socket errors (ECONNREFUSED, ECONNRESET, ...).

/** Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference) for an unavailable database. */
// P2034 is a write conflict or deadlock: not an outage, but as temporary, and the same answer
// (503, try again) is right for it; a 500 would tell the caller the request itself is at fault.
const prismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034', 'P2037']);
/** @prisma/adapter-pg error kinds for the same. */
const adapterKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionWriteConflict']);
/**
 * SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html): class 08 connection
 * exceptions, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up),
 * 57P05 idle session timeout, 53300 too many connections, 53400 configuration limit exceeded; and
 * 40001 serialization failure and 40P01 deadlock detected, which Postgres documents as worth
 * retrying as they are.
 */
const sqlStates = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '53400', '40001', '40P01']);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const unavailableMessage =
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|terminating connection|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Can't reach database|Timed out fetching a new connection|Unable to start a transaction|Server has closed the connection|ECONNREFUSED|ECONNRESET/i;

function isSqlStateUnavailable(code: string): boolean {
  return code.startsWith('08') || sqlStates.has(code);
}

/** The error and what it wraps: `cause`, Prisma's `meta.driverAdapterError`, an AggregateError's errors. */
function* chainOf(error: unknown): Generator<Record<string, unknown>> {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && seen.size < 20) {
    const item = queue.shift();
    if (item === null || typeof item !== 'object' || seen.has(item)) continue;
    seen.add(item);
    const record = item as Record<string, unknown>;
    yield record;
    queue.push(record.cause);
    const meta = record.meta;
    if (meta !== null && typeof meta === 'object') queue.push((meta as Record<string, unknown>).driverAdapterError);
    if (Array.isArray(record.errors)) queue.push(...(record.errors as unknown[]));
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const part of chainOf(error)) {
    const code = typeof part.code === 'string' ? part.code : undefined;
    const originalCode = typeof part.originalCode === 'string' ? part.originalCode : undefined;
    if (code !== undefined && (prismaCodes.has(code) || socketCodes.has(code) || isSqlStateUnavailable(code))) return true;
    if (originalCode !== undefined && isSqlStateUnavailable(originalCode)) return true;
    if (typeof part.kind === 'string' && adapterKinds.has(part.kind)) return true;
    for (const text of [part.message, part.originalMessage]) if (typeof text === 'string' && unavailableMessage.test(text)) return true;
  }
  return false;
}
