/**
 * An event's position is `commit sequence × POSITION_STRIDE + index in the commit`, where one
 * append is one commit. Positions order events across streams and give each event its own id,
 * and the events of one append have consecutive positions, so a caller derives each one's
 * position from the last one's. Every adapter numbers events this way.
 */
export const POSITION_STRIDE = 1000;
export const MAX_EVENTS_PER_APPEND = POSITION_STRIDE - 1;

export const positionOf = (seq: number, index: number): number => seq * POSITION_STRIDE + index;
export const sequenceOf = (position: number): number => Math.floor(position / POSITION_STRIDE);
