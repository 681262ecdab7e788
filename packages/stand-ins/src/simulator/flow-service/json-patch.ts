// JSON Patch (RFC 6902 add/replace/remove) as Flow Service accepts it: ops are case-insensitive
// (aepp sends `Replace`), and only a whitelist of top-level fields may change per entity kind.

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export class PatchError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the body into ops; throws PatchError with a readable message. */
export function parsePatch(body: unknown): PatchOp[] {
  if (!Array.isArray(body) || body.length === 0) throw new PatchError('PATCH body must be a non-empty JSON Patch array');
  return body.map((raw, index) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`patch[${index}] needs op and path`);
    }
    const op = raw.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new PatchError(`patch[${index}].op ${raw.op} is not supported (add, replace, remove)`);
    if (op !== 'remove' && !('value' in raw)) throw new PatchError(`patch[${index}] needs a value`);
    if (!raw.path.startsWith('/')) throw new PatchError(`patch[${index}].path must be a JSON pointer`);
    return op === 'remove' ? { op, path: raw.path } : { op, path: raw.path, value: raw.value };
  });
}

function tokens(path: string): string[] {
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The top-level field a pointer touches, e.g. "scheduleParams" for /scheduleParams/startTime. */
export function topField(path: string): string {
  return tokens(path)[0] ?? '';
}

/** Applies ops to a deep copy of `document`; fields outside `allowed` are refused. */
export function applyPatch<T extends object>(document: T, ops: PatchOp[], allowed: ReadonlySet<string>): T {
  const copy = structuredClone(document) as Record<string, unknown>;
  for (const op of ops) {
    const path = tokens(op.path);
    const field = path[0] ?? '';
    if (!allowed.has(field)) throw new PatchError(`${op.path} cannot be changed with PATCH`);
    let parent: unknown = copy;
    for (const token of path.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[Number(token)];
      else if (isObject(parent)) parent = parent[token];
      else parent = undefined;
      if (parent === undefined) throw new PatchError(`${op.path}: parent path does not exist`);
    }
    const last = path[path.length - 1] ?? '';
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`${op.path}: invalid array index`);
      if (op.op === 'add') parent.splice(index, 0, op.value);
      else if (index >= parent.length) throw new PatchError(`${op.path}: no element to ${op.op}`);
      else if (op.op === 'replace') parent[index] = op.value;
      else parent.splice(index, 1);
    } else if (isObject(parent)) {
      if (op.op !== 'add' && !(last in parent)) throw new PatchError(`${op.path}: no value to ${op.op}`);
      if (op.op === 'remove') delete parent[last];
      else parent[last] = op.value;
    } else {
      throw new PatchError(`${op.path}: parent is not an object or array`);
    }
  }
  return copy as T;
}
