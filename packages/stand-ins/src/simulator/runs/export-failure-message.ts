// What a failed export's run says about the failure: never where the simulator keeps its files.
// File-system errors carry absolute paths (e.g. ENAMETOOLONG names the whole folder), which are
// the simulator's, not the tenant's; they become a plain sentence, and any other message has the
// landing root cut out.

const PLAIN_BY_CODE: Record<string, string> = {
  ENAMETOOLONG: 'a folder or file name of the export path is too long for the storage',
  ENOSPC: 'the storage is full',
  EACCES: 'the storage refused the write',
  EPERM: 'the storage refused the write',
  EROFS: 'the storage is read-only',
};

export function exportFailureMessage(error: unknown, landingRoot: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && PLAIN_BY_CODE[code] !== undefined) return `${PLAIN_BY_CODE[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split(landingRoot).join('<landing zone>');
}
