// The shared surface of the Platform simulator: every route module receives a SimulatorContext and
// reads the caller's org/sandbox from `request.tenancy` (set by the gateway hook).
import type { Pool } from 'pg';
import type { SimulatorConfig } from './config.js';
import type { FaultConfig, FaultConfigInput } from './faults/fault-config.js';
import type { SimulatorStorage } from './storage/simulator-storage.js';

/** Which org and sandbox a Platform call is scoped to; every piece of state is keyed by it. */
export interface Tenancy {
  orgId: string;
  sandbox: string;
}

/** Flow Service entity kinds the simulator stores. */
export type EntityKind = 'connection' | 'sourceConnection' | 'targetConnection' | 'flow' | 'run';

export interface StoredEntity<Body> {
  id: string;
  kind: EntityKind;
  /** The entity as the Platform returns it (id, etag, createdAt, ... included). */
  body: Body;
  /** Quoted, as the Platform sends it: "\"0a1b...\"". Changes on every write. */
  etag: string;
  /** Monotonic insertion order, used for stable pagination. */
  seq: number;
}

/** One `property=` filter of a Flow Service list call, already parsed. */
export interface PropertyFilter {
  /** Dotted path into the entity body; a trailing `[]` means "array contains". */
  path: string;
  op: '==' | '!=' | '>' | '<' | '>=' | '<=' | 'exists' | 'not-exists';
  value?: string;
}

export interface ListQuery {
  filters: PropertyFilter[];
  limit: number;
  /** Opaque token from a previous page's `_links.next.href`. */
  continuationToken?: string;
  /** `createdAt` or `-createdAt`; default ascending, runs default newest first. */
  orderBy?: 'createdAt' | '-createdAt';
}

export interface ListPage<Body> {
  items: StoredEntity<Body>[];
  continuationToken?: string;
}

export type UpdateResult<Body> =
  | { outcome: 'updated'; entity: StoredEntity<Body> }
  | { outcome: 'not_found' }
  | { outcome: 'etag_mismatch'; current: StoredEntity<Body> };

/** Postgres-backed store of Flow Service entities, isolated per org and sandbox. */
export interface EntityStore {
  /** Inserts a new entity; `build` receives the generated id and etag and returns the body. */
  create<Body>(t: Tenancy, kind: EntityKind, build: (id: string, etag: string) => Body, name?: string): Promise<StoredEntity<Body>>;
  /**
   * Like create, but only while fewer than `max` entities of the kind match `filters` in the
   * tenancy (checked under a per-tenancy lock, so concurrent creates cannot overshoot); null at the limit.
   */
  createWithLimit<Body>(
    t: Tenancy,
    kind: EntityKind,
    limit: { filters: PropertyFilter[]; max: number },
    build: (id: string, etag: string) => Body,
    name?: string,
  ): Promise<StoredEntity<Body> | null>;
  get<Body>(t: Tenancy, kind: EntityKind, id: string): Promise<StoredEntity<Body> | null>;
  list<Body>(t: Tenancy, kind: EntityKind, query: ListQuery): Promise<ListPage<Body>>;
  count(t: Tenancy, kind: EntityKind, filters: PropertyFilter[]): Promise<number>;
  /** Read-modify-write in one transaction; `expectedEtag` (quoted) enables If-Match semantics. */
  update<Body>(t: Tenancy, kind: EntityKind, id: string, mutate: (body: Body, newEtag: string) => Body, expectedEtag?: string): Promise<UpdateResult<Body>>;
  delete(t: Tenancy, kind: EntityKind, id: string): Promise<boolean>;
}

/** A run failure chosen by the fault injector, written into the run's statusSummary.errors[]. */
export interface RunFailure {
  code: string;
  message: string;
}

/** Per-instance fault injection (in memory; not persisted across restarts). */
export interface FaultInjector {
  /** The active configuration, with rule `count`s showing what is left. */
  current(): FaultConfig;
  /** Replaces the whole configuration (validated; throws a ZodError on bad input). */
  set(config: FaultConfigInput): FaultConfig;
  /** Called by the run engine when a run completes: a failure to record, or null for success. */
  takeRunFailure(): RunFailure | null;
}

export interface SimulatorContext {
  config: SimulatorConfig;
  pool: Pool;
  /** Postgres schema holding all simulator tables (already validated as an identifier). */
  schema: string;
  entities: EntityStore;
  faults: FaultInjector;
  /** The storage emulators exports land in (DLZ, S3, GCS, Azure Blob, SFTP). */
  storage: SimulatorStorage;
  /** Milliseconds since epoch; one place to read time so tests can reason about windows. */
  now(): number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gateway hook on every Platform call (not on IMS or admin routes). */
    tenancy: Tenancy;
    /** The IMS client (x-api-key) of the caller's token, set by the gateway hook. */
    imsClientId: string;
  }
}
