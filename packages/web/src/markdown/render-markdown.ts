import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

/**
 * Markdown as HTML that is safe to put in the page: markdown-it with raw HTML off (a `<script>`
 * in an answer is text, escaped), its link check (no `javascript:` links), then DOMPurify over
 * the result as a second line of defence. Links open in a new tab, without the opener.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false });

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

export function renderMarkdown(text: string): string {
  // No style attributes: the page's CSP refuses them (markdown-it writes one for an aligned table column).
  return purifier.sanitize(markdown.render(text), { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'], FORBID_ATTR: ['style'] });
}
