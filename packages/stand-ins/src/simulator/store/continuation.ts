// Continuation tokens are opaque to clients: base64url of the last seq of the previous page.

export function encodeContinuation(lastSeq: number): string {
  return Buffer.from(`seq:${lastSeq}`, 'utf8').toString('base64url');
}

/** Returns the seq a token points after, or null for a token we did not issue. */
export function decodeContinuation(token: string): number | null {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^seq:(\d{1,15})$/.exec(decoded);
  return match?.[1] === undefined ? null : Number(match[1]);
}
