// Storage failures in the API's error vocabulary: what the store said, in plain words, never the
// credentials or the signed URL involved.
import { AppError } from '../errors.js';
import { PlatformError } from '../platform/errors.js';
import { InvalidStoragePathError, StorageAccessDeniedError, StorageNotFoundError } from './object-store.js';
import { StoreOpenError } from './store-factory.js';

export function storageProblem(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof PlatformError) return new AppError('platform_error', `The Platform did not hand out Data Landing Zone credentials: ${error.message}`);
  if (error instanceof StorageNotFoundError) return new AppError('not_found', `${what}: ${error.message}.`);
  if (error instanceof StorageAccessDeniedError) return new AppError('storage_error', `${what}: the store refused the destination's credentials (${error.message}).`);
  if (error instanceof StoreOpenError || error instanceof InvalidStoragePathError) return new AppError('storage_error', `${what}: ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('storage_error', `${what}: the store could not be reached (${message.split('\n')[0] ?? ''}).`);
}
