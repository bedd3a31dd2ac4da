// Reading an API route now and again, while the tab is visible.
import { useCallback, useEffect, useRef, useState } from '../html.js';

/**
 * Calls `load` at once and then every `intervalMs` (0: once) while the page is visible;
 * returns the last data, the last error (cleared by a success) and reload(). A tick is skipped
 * while a call is out; an answer to a call made before `deps` changed is dropped.
 */
export function usePoll(load, intervalMs, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const inflight = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = generation.current;
    inflight.current++;
    try {
      const data = await loadRef.current();
      if (mine === generation.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
    } finally {
      inflight.current--;
    }
  }, []);

  useEffect(() => {
    generation.current++;
    setState((s) => ({ ...s, loading: true }));
    void reload();
    const timer = intervalMs > 0
      ? setInterval(() => { if (document.visibilityState === 'visible' && inflight.current === 0) void reload(); }, intervalMs)
      : null;
    return () => {
      generation.current++;
      if (timer) clearInterval(timer);
    };
  }, deps);

  return { ...state, reload };
}
