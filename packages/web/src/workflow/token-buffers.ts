import type { TokenDelta } from '@topdog/contracts';

/** The text one call has streamed so far, of its latest attempt (a retry starts again). */
export interface StreamedTokens {
  callId: string;
  attempt: number;
  text: string;
  /** The next delta expected (deltas are numbered from 0 in each attempt). */
  nextSeq: number;
  /** Some deltas never arrived (the stream began mid-answer, or a delta was lost): the text has holes. */
  gap: boolean;
}

/** The calls' streamed text by call id, the most recent few only. */
export type TokenBuffers = readonly StreamedTokens[];

const KEPT = 4;

/**
 * Adds one token delta: pure. Deltas are kept per call whatever the page believes is running (a
 * call's first deltas can come before the event that says it was requested); an older attempt's
 * late delta, and a delta seen already, change nothing; a later attempt starts the text again.
 */
export function applyToken(buffers: TokenBuffers, delta: TokenDelta): TokenBuffers {
  const current = buffers.find((b) => b.callId === delta.callId);
  const others = buffers.filter((b) => b.callId !== delta.callId);
  let next: StreamedTokens;
  if (!current || delta.attempt > current.attempt) {
    next = { callId: delta.callId, attempt: delta.attempt, text: delta.delta, nextSeq: delta.seq + 1, gap: delta.seq > 0 };
  } else if (delta.attempt < current.attempt || delta.seq < current.nextSeq) {
    return buffers;
  } else {
    next = { ...current, text: current.text + delta.delta, nextSeq: delta.seq + 1, gap: current.gap || delta.seq > current.nextSeq };
  }
  return [...others.slice(-(KEPT - 1)), next];
}

export const tokensOf = (buffers: TokenBuffers, callId: string | undefined): StreamedTokens | null =>
  (callId && buffers.find((b) => b.callId === callId)) || null;
