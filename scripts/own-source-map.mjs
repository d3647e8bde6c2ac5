// Narrows a bundle's source map to the workspace's own sources. A service's bundle is mostly its
// libraries (the gateway's: 3.3 MB, of which our code is some 180 KB), and Node holds the whole
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
  /** Old source index → new, for the sources kept; names likewise, as the kept segments use them. */
  const sources = new Map();
  map.sources.forEach((source, index) => {
    if (isOwn(source)) sources.set(index, sources.size);
  });
  const names = new Map();
  let mapped = false;
  const lines = decode(map.mappings).map((segments) =>
    segments.flatMap((segment) => {
      if (segment.length > 1 && sources.has(segment[1])) {
        mapped = true;
        const [column, source, line, sourceColumn, name] = segment;
        if (name === undefined) return [[column, sources.get(source), line, sourceColumn]];
        if (!names.has(name)) names.set(name, names.size);
        return [[column, sources.get(source), line, sourceColumn, names.get(name)]];
      }
      // A library's run: one unmapped segment where it starts, none for the rest of it.
      if (!mapped) return [];
      mapped = false;
      return [[segment[0]]];
    }),
  );
  const keep = (list, kept) => list.filter((_, index) => kept.has(index));
  const narrowed = {
    version: map.version,
    ...(map.file ? { file: map.file } : {}),
    sources: keep(map.sources, sources),
    ...(map.sourcesContent ? { sourcesContent: keep(map.sourcesContent, sources) } : {}),
    names: [...names.keys()].map((index) => map.names[index]),
    mappings: encode(lines),
  };
  const out = JSON.stringify(narrowed);
  writeFileSync(path, out);
  return { before: Buffer.byteLength(text), after: Buffer.byteLength(out) };
}
