// The one interface every storage protocol implements (S3 and S3-compatible GCS, Azure Blob for
// Azure Blob, ADLS Gen2 and the Data Landing Zone, SFTP). Paths are `/`-separated keys relative to
// the store's root (bucket, container or the SFTP root), without a leading slash; a folder path
// ends with `/`. Every file a store names also has a URI (see storage-uri.ts), which is what the
// API shows and what ML platforms are handed.
import type { Readable } from 'node:stream';

/** The wire protocol a store speaks. */
export type StorageProtocol = 's3' | 'gcs' | 'azure-blob' | 'sftp';

/** One file at a store. */
export interface StoredFile {
  /** Key relative to the store's root, `/`-separated, no leading slash. */
  path: string;
  /** Absolute URI of the file (s3://…, gs://…, https://<account>.blob.core.windows.net/…, sftp://…). */
  uri: string;
  size: number;
  lastModified?: Date;
}

export interface SignedReadUrl {
  url: string;
  expiresAt: Date;
}

/** A URL anyone can PUT one object's bytes to until it expires, with the headers the PUT needs. */
export interface SignedWriteUrl {
  url: string;
  expiresAt: Date;
  headers: Record<string, string>;
}

/**
 * Short-lived credentials a third party (an ML job) can use to read, and optionally write, one
 * prefix of a store. The shape follows what each protocol's own tools take.
 */
export type StorageAccess =
  | { kind: 'azure-sas'; containerUrl: string; sasToken: string; sasUri: string; expiresAt: Date; permissions: string }
  | {
      kind: 'aws-session';
      bucket: string;
      prefix: string;
      region: string;
      endpoint?: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
      expiresAt?: Date;
    };

export interface WriteOptions {
  contentType?: string;
}

export interface ObjectStore {
  readonly protocol: StorageProtocol;
  /** URI of the store's root, ending with `/` (e.g. `s3://bucket/`). */
  readonly rootUri: string;
  /** URI of a file or folder path at this store. */
  uriOf(path: string): string;
  /** The path a URI names at this store, or null when the URI is not inside this store. */
  pathOf(uri: string): string | null;
  /** Every file under the prefix, recursively, sorted by path. An absent prefix lists nothing. */
  list(prefix: string): Promise<StoredFile[]>;
  /** The file, or null when it does not exist. */
  stat(path: string): Promise<StoredFile | null>;
  /** The file's bytes as a stream; throws StorageNotFoundError when it does not exist. */
  read(path: string): Promise<Readable>;
  /** Writes (replaces) the file from a stream or bytes; returns what was stored. */
  write(path: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<StoredFile>;
  /**
   * A URL anyone can GET the file with until it expires (S3 presign, Azure SAS), or null when the
   * protocol has none (SFTP) — callers then stream the file through `read`.
   */
  signedReadUrl(path: string, ttlSeconds: number): Promise<SignedReadUrl | null>;
  /**
   * A URL that lets its holder write (create or replace) exactly this file with one HTTP PUT until
   * it expires (S3 presigned PUT, Azure blob SAS with create+write), or null when the protocol has
   * none (SFTP). How pipelines let an ML job write its scores without handing it keys.
   */
  signedWriteUrl(path: string, ttlSeconds: number): Promise<SignedWriteUrl | null>;
  /**
   * Short-lived credentials for a prefix (for an ML job), or null when this store cannot mint
   * them with the credentials it holds (e.g. long-lived access keys without STS, SFTP).
   */
  temporaryAccess(prefix: string, options: { write: boolean; ttlSeconds: number }): Promise<StorageAccess | null>;
  /** Releases connections (SFTP sessions); further calls fail. */
  close(): Promise<void>;
}

/** The file or folder does not exist at the store. */
export class StorageNotFoundError extends Error {
  override name = 'StorageNotFoundError';
  constructor(readonly uri: string) {
    super(`${uri} does not exist`);
  }
}

/** For `stat`: runs an adapter's error translation; "not found" becomes null, anything else is thrown. */
export function nullIfNotFound(translateError: () => never): null {
  try {
    translateError();
  } catch (translated) {
    if (translated instanceof StorageNotFoundError) return null;
    throw translated;
  }
}

/** The store refused our credentials (expired SAS, wrong key, denied policy). */
export class StorageAccessDeniedError extends Error {
  override name = 'StorageAccessDeniedError';
}

/** A path with `..`, NUL or a leading slash would leave the store's root or name nothing. */
export class InvalidStoragePathError extends Error {
  override name = 'InvalidStoragePathError';
}

/** Normalises a path: `/`-separated segments, no empty, `.` or `..` segments; keeps a trailing `/`. */
export function normaliseStoragePath(path: string): string {
  if (path.includes('\0')) throw new InvalidStoragePathError('a storage path must not contain NUL');
  const folder = path.endsWith('/') && path.replace(/\/+$/, '') !== '';
  const segments = path.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new InvalidStoragePathError(`a storage path must not contain "..": ${path}`);
  const joined = segments.join('/');
  return folder ? `${joined}/` : joined;
}

/** The store path of `uri` when it lies under the store's `rootUri`, else null. */
export function storagePathUnder(rootUri: string, uri: string): string | null {
  if (!uri.startsWith(rootUri)) return null;
  return normaliseStoragePath(decodeURIComponent(uri.slice(rootUri.length)));
}

/** `a/b` + `c/d.parquet` → `a/b/c/d.parquet`. */
export function joinStoragePath(...parts: string[]): string {
  return normaliseStoragePath(parts.filter((p) => p !== '').join('/'));
}
