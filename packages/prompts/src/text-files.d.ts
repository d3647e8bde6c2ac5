/** Prompt files are bundled as text (esbuild's text loader; a small plugin under vitest). */
declare module '*.md' {
  const text: string;
  export default text;
}
