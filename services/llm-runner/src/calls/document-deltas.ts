import { JSONParser } from '@streamparser/json';

/**
 * The live text of a structured answer: fed the raw JSON as it streams (`{"document": "# Plan…",
 * "result": {…}}`), it passes on only the new text of `document`, unescaped, so a live view shows
 * the markdown a person will read and no JSON punctuation. The JSON is parsed incrementally
 * (`@streamparser/json`), each piece once. An answer that turns out not to be JSON at all (a
 * model that ignored the format) is passed on as it is.
 */
export function documentDeltas(onText: (text: string) => void): (chunk: string) => void {
  const parser = new JSONParser({ paths: ['$.document'], emitPartialTokens: true, emitPartialValues: true, keepStack: false });
  let shown = 0;
  let raw = false;
  parser.onValue = ({ value }) => {
    if (typeof value !== 'string' || value.length <= shown) return;
    onText(value.slice(shown));
    shown = value.length;
  };
  parser.onError = () => {
    // Not JSON from the start: the text itself is what the model says. Past the document, the rest is not shown.
    raw = shown === 0;
  };
  return (chunk) => {
    if (raw) return onText(chunk);
    if (parser.isEnded) return;
    parser.write(chunk);
    if (raw) onText(chunk);
  };
}
