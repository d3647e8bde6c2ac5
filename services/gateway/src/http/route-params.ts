/**
 * The path parameters of the routes the gateway serves. The router rejects a request whose
 * parameter it cannot take (longer than `maxParamLength`, a malformed %-escape) before any
 * route is chosen, and says nothing of which parameter it was: this names it.
 */
export class RouteParams {
  private readonly patterns: string[][] = [];

  /** A route's URL pattern (`/api/ai-workflows/status/:workflow_id`), as Fastify's onRoute gives it. */
  add(url: string): void {
    if (url.includes(':')) this.patterns.push(url.split('/'));
  }

  /**
   * The name of the first parameter that some route puts where `path` holds a segment that
   * fails `isBad`, the static segments before it matching; undefined when none does.
   */
  find(path: string, isBad: (segment: string) => boolean): string | undefined {
    const segments = path.split(/[?#]/, 1)[0]!.split('/');
    for (const pattern of this.patterns) {
      for (let i = 0; i < Math.min(pattern.length, segments.length); i++) {
        const part = pattern[i]!;
        const segment = segments[i]!;
        if (part.startsWith(':')) {
          if (isBad(segment)) return part.slice(1).replace(/\(.*$|\?$/, '');
        } else if (part !== segment) {
          break;
        }
      }
    }
    return undefined;
  }
}

/** A segment that is not valid percent-encoding. */
export function malformedEscape(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return false;
  } catch {
    return true;
  }
}
