/**
 * Where the signed-in credential lives: the tab's session storage (gone when the tab closes,
 * never in the page, a URL or a cookie, so no other site's request can carry it). Where the
 * browser refuses storage (some private modes), it lives in this page's memory only, until the
 * page reloads.
 */
const KEY = 'topdog.credential';
let inMemory: string | null = null;

export const credentialStorage = {
  read(): string | null {
    try {
      return window.sessionStorage.getItem(KEY) ?? inMemory;
    } catch {
      return inMemory;
    }
  },
  write(credential: string): void {
    inMemory = credential;
    try {
      window.sessionStorage.setItem(KEY, credential);
    } catch {}
  },
  clear(): void {
    inMemory = null;
    try {
      window.sessionStorage.removeItem(KEY);
    } catch {}
  },
};
