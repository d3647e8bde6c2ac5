import { setFlagsFromString } from 'node:v8';

/**
 * Sets how far V8 lets the old generation grow past what a full collection kept before it
 * collects again: `1 + percent / 100` times it, in place of V8's own factor, which it picks
 * between 1.1 and 4 from how fast it collects against how fast the program allocates (a
 * projector rebuilding its read models got close to four: 745 MB resident for about 190 MB in
 * use). No ceiling on the heap: a process that needs more gets it, one collection later. V8
 * reads the flag at each full collection, so set after start-up it takes effect from the next.
 * `percent` 0 leaves V8's own rule.
 */
export function setHeapGrowthPercent(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
