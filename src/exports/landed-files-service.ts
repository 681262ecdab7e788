// The files an export run landed: listed as recorded by the worker, each with a short-lived
// download link — a signed URL straight from the store where the protocol has one (S3 presign,
// Azure SAS), otherwise a link to the API, which streams the file from the store (SFTP).
import type { Readable } from 'node:stream';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { StoreFactory } from '../storage/store-factory.js';
import { storageProblem } from '../storage/storage-problem.js';
import type { RunFilesView } from './export-schemas.js';

export interface LandedFilesDeps {
  db: Db;
  stores: StoreFactory;
  signedUrlTtlSeconds: number;
  publicUrl: string;
}

export function createLandedFilesService({ db, stores, signedUrlTtlSeconds, publicUrl }: LandedFilesDeps) {
  async function loadRun(tenantId: string, exportId: string, runId: string) {
    const run = await db.exportRun.findFirst({
      where: { id: runId, exportId, export: { tenantId } },
      include: { landedFiles: { orderBy: { path: 'asc' } }, export: { include: { destination: true } } },
    });
    if (run === null) throw notFound('Export run', runId);
    return run;
  }

  return {
    async list(tenantId: string, exportId: string, runId: string): Promise<RunFilesView> {
      const run = await loadRun(tenantId, exportId, runId);
      const base = { exportId, runId, folderUri: run.folderUri, filesError: run.filesError, listedAt: run.filesListedAt?.toISOString() ?? null };
      if (run.landedFiles.length === 0) return { ...base, files: [] };
      const store = await stores.forDestination(run.export.destination).catch((error: unknown) => {
        throw storageProblem(error, "The export's destination");
      });
      try {
        const files = [];
        for (const file of run.landedFiles) {
          const signed = await store.signedReadUrl(file.path, signedUrlTtlSeconds).catch((error: unknown) => {
            throw storageProblem(error, file.uri);
          });
          const apiUrl = `${publicUrl}/exports/${exportId}/runs/${runId}/files/content?path=${encodeURIComponent(file.path)}`;
          files.push({
            uri: file.uri,
            path: file.path,
            size: Number(file.size),
            download:
              signed === null
                ? { kind: 'api' as const, url: apiUrl, expiresAt: null }
                : { kind: 'signed' as const, url: signed.url, expiresAt: signed.expiresAt.toISOString() },
          });
        }
        return { ...base, files };
      } finally {
        await store.close();
      }
    },

    /** Streams one recorded file of the run from its store; the store stays open until the stream ends. */
    async open(tenantId: string, exportId: string, runId: string, path: string): Promise<{ stream: Readable; size: number; name: string }> {
      const run = await loadRun(tenantId, exportId, runId);
      const file = run.landedFiles.find((f) => f.path === path);
      // Only files the run landed: never an arbitrary path at the destination.
      if (file === undefined) throw new AppError('not_found', `Run ${runId} landed no file ${path}.`);
      const store = await stores.forDestination(run.export.destination).catch((error: unknown) => {
        throw storageProblem(error, "The export's destination");
      });
      try {
        const stream = await store.read(file.path);
        const release = () => void store.close();
        stream.once('close', release);
        stream.once('error', release);
        return { stream, size: Number(file.size), name: file.path.slice(file.path.lastIndexOf('/') + 1) };
      } catch (error) {
        await store.close();
        throw storageProblem(error, file.uri);
      }
    },
  };
}

export type LandedFilesService = ReturnType<typeof createLandedFilesService>;
