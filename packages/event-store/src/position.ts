/**
 * How the JetStream and in-memory stores number events: `commit sequence × POSITION_STRIDE +
 * index in the commit`, where one append is one commit. Positions order events across streams
 * and give each event its own id. (KurrentDB's adapter uses the database's own commit positions,
 * byte offsets in its log: callers rely only on positions growing along the log.)
 */
export const POSITION_STRIDE = 1000;
export const MAX_EVENTS_PER_APPEND = POSITION_STRIDE - 1;

export const positionOf = (seq: number, index: number): number => seq * POSITION_STRIDE + index;
export const sequenceOf = (position: number): number => Math.floor(position / POSITION_STRIDE);
