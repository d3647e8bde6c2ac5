import { useMemo } from 'react';
import { renderMarkdown } from './render-markdown';

/** Text from a model or a person, rendered as markdown: never as the page's own HTML (see renderMarkdown). */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
