import { useCallback, useEffect, useState } from 'react';

/** The environments the global selector offers. @public */
export const ORCH_ENVIRONMENTS = ['prod', 'stage'] as const;

/** One of {@link ORCH_ENVIRONMENTS}. @public */
export type OrchEnvironment = (typeof ORCH_ENVIRONMENTS)[number];

/** localStorage key of the selected environment. @public */
export const ORCH_ENVIRONMENT_STORAGE_KEY = 'orch.environment';

/**
 * Window event sent when this tab changes the environment (the `storage`
 * event only reaches the other tabs). @public
 */
export const ORCH_ENVIRONMENT_EVENT = 'orch-environment';

function isOrchEnvironment(value: unknown): value is OrchEnvironment {
  return (ORCH_ENVIRONMENTS as readonly unknown[]).includes(value);
}

/** The stored environment; undefined for "all" or anything unknown. @public */
export function readOrchEnvironment(): OrchEnvironment | undefined {
  try {
    const value = window.localStorage.getItem(ORCH_ENVIRONMENT_STORAGE_KEY);
    return isOrchEnvironment(value) ? value : undefined;
  } catch {
    // Storage can be disabled (privacy settings): behave as "all".
    return undefined;
  }
}

/** Stores the environment (undefined = all) and tells every listener. @public */
export function writeOrchEnvironment(environment?: OrchEnvironment): void {
  try {
    if (environment) {
      window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, environment);
    } else {
      window.localStorage.removeItem(ORCH_ENVIRONMENT_STORAGE_KEY);
    }
  } catch {
    // Not remembered, but this tab still follows the choice below.
  }
  window.dispatchEvent(
    new CustomEvent(ORCH_ENVIRONMENT_EVENT, { detail: environment }),
  );
}

/**
 * The environment chosen in the top bar's global selector (`prod`, `stage`,
 * or undefined for all), remembered in localStorage and shared by every
 * component and tab that uses this hook.
 * @public
 */
export function useOrchEnvironment(): {
  environment?: OrchEnvironment;
  setEnvironment: (environment?: OrchEnvironment) => void;
} {
  const [environment, setState] = useState(readOrchEnvironment);

  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === null || event.key === ORCH_ENVIRONMENT_STORAGE_KEY) {
        setState(readOrchEnvironment());
      }
    };
    const onChange = (event: Event) => {
      const detail = (event as CustomEvent).detail;
      setState(isOrchEnvironment(detail) ? detail : undefined);
    };
    // A change between the first render and this effect is not lost.
    setState(readOrchEnvironment());
    window.addEventListener('storage', onStorage);
    window.addEventListener(ORCH_ENVIRONMENT_EVENT, onChange);
    return () => {
      window.removeEventListener('storage', onStorage);
      window.removeEventListener(ORCH_ENVIRONMENT_EVENT, onChange);
    };
  }, []);

  const setEnvironment = useCallback(
    (next?: OrchEnvironment) => writeOrchEnvironment(next),
    [],
  );
  return { environment, setEnvironment };
}
