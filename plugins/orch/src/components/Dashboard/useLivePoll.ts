import { useEffect, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';

/** How often the dashboard's widgets ask again. */
export const DASHBOARD_POLL_MS = 5000;

/**
 * Loads `fn` and loads it again every `intervalMs` while the tab is visible
 * (and at once when it becomes visible again). The last value stays shown
 * while a reload runs, so widgets never flash back to a spinner.
 */
export function useLivePoll<T>(
  fn: () => Promise<T>,
  deps: unknown[],
  intervalMs = DASHBOARD_POLL_MS,
): { value?: T; error?: Error; loading: boolean; retry: () => void } {
  const state = useAsyncRetry(fn, deps);
  const last = useRef<T>();
  if (state.value !== undefined) {
    last.current = state.value;
  }
  const { retry } = state;

  useEffect(() => {
    const tick = () => {
      if (document.visibilityState !== 'hidden') {
        retry();
      }
    };
    const timer = setInterval(tick, intervalMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [retry, intervalMs]);

  return {
    value: state.value ?? (state.error ? undefined : last.current),
    error: state.error,
    loading: state.loading,
    retry,
  };
}
