// Pages by URL fragment (#/events): the daemon serves one index.html, and no page needs the server to know it.
import { useEffect, useState } from './html.js';

export function currentPath() {
  const path = location.hash.replace(/^#\/?/, '').split('?')[0];
  return path || 'dashboard';
}

export function useRoute() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    addEventListener('hashchange', onChange);
    // Effects run after paint: a hashchange between the first render and here had no listener.
    onChange();
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

export const href = (path) => `#/${path}`;
