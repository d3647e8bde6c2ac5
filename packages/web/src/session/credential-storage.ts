/**
 * Where the signed-in credential lives: the tab's session storage (gone when the tab closes,
 * never in the page, a URL or a cookie, so no other site's request can carry it).
 */
const KEY = 'topdog.credential';

export const credentialStorage = {
  read(): string | null {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  write(credential: string): void {
    window.sessionStorage.setItem(KEY, credential);
  },
  clear(): void {
    window.sessionStorage.removeItem(KEY);
  },
};
