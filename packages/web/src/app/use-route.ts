import { useEffect, useState } from 'react';
import { routeOf, type Route } from './routes';

/**
 * The page the address names, following the back and forward buttons and links. Moving to
 * another page puts the focus on the main region (so a screen reader reads the new page, and the
 * keyboard starts from its top), as a page load would.
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(routeOf(window.location.hash));
      window.scrollTo(0, 0);
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
