// Narrows a bundle's source map to the workspace's own sources. A service's bundle is mostly its
// libraries (the gateway's: 3.6 MB, of which our code is some 180 KB), and Node holds the whole
// map of every bundle it runs with --enable-source-maps: 2.4 MB of the gateway's idle heap, for
// frames in libraries that the bundle already names (identifiers are not minified). Narrowed,
// a frame in our code still maps to its file and line; one in a library keeps its bundle
// position: each run of library code starts with an unmapped segment, so that Node, which maps
// a position to the nearest mapping before it, does not give it the location of our code before it.
import { readFileSync, writeFileSync } from 'node:fs';
import { decode, encode } from '@jridgewell/sourcemap-codec';

/** A source the workspace wrote: not a package's from node_modules. */
const isOwn = (source) => !source.split(/[\\/]/).includes('node_modules');

/** Rewrites the map at `path` in place; returns its size before and after, in bytes. */
export function keepOwnSources(path) {
  const text = readFileSync(path, 'utf8');
  const map = JSON.parse(text);
  const kept = new Map();
  map.sources.forEach((source, index) => {
    if (isOwn(source)) kept.set(index, kept.size);
  });
  let mapped = false;
  const lines = decode(map.mappings).map((segments) =>
    segments.flatMap((segment) => {
      const own = segment.length > 1 && kept.has(segment[1]);
      if (own) {
        mapped = true;
        const narrowed = [...segment];
        narrowed[1] = kept.get(segment[1]);
        return [narrowed];
      }
      // A library's run: one unmapped segment where it starts, none for the rest of it.
      if (!mapped) return [];
      mapped = false;
      return [[segment[0]]];
    }),
  );
  const narrowed = {
    ...map,
    sources: map.sources.filter((_, index) => kept.has(index)),
    ...(map.sourcesContent ? { sourcesContent: map.sourcesContent.filter((_, index) => kept.has(index)) } : {}),
    mappings: encode(lines),
  };
  const out = JSON.stringify(narrowed);
  writeFileSync(path, out);
  return { before: text.length, after: out.length };
}
