import { act, renderHook } from '@testing-library/react';
import {
  ORCH_ENVIRONMENT_STORAGE_KEY,
  useOrchEnvironment,
} from './useOrchEnvironment';

describe('useOrchEnvironment', () => {
  afterEach(() => window.localStorage.clear());

  it('reads the remembered environment and ignores unknown values', () => {
    window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, 'prod');
    expect(
      renderHook(() => useOrchEnvironment()).result.current.environment,
    ).toBe('prod');
    window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, 'moon');
    expect(
      renderHook(() => useOrchEnvironment()).result.current.environment,
    ).toBeUndefined();
  });

  it('shares a change with every user of the hook and remembers it', () => {
    const a = renderHook(() => useOrchEnvironment());
    const b = renderHook(() => useOrchEnvironment());
    act(() => a.result.current.setEnvironment('stage'));
    expect(b.result.current.environment).toBe('stage');
    expect(window.localStorage.getItem(ORCH_ENVIRONMENT_STORAGE_KEY)).toBe(
      'stage',
    );
    act(() => b.result.current.setEnvironment(undefined));
    expect(a.result.current.environment).toBeUndefined();
    expect(
      window.localStorage.getItem(ORCH_ENVIRONMENT_STORAGE_KEY),
    ).toBeNull();
  });

  it('follows another tab through the storage event', () => {
    const { result } = renderHook(() => useOrchEnvironment());
    act(() => {
      window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, 'prod');
      window.dispatchEvent(
        new StorageEvent('storage', { key: ORCH_ENVIRONMENT_STORAGE_KEY }),
      );
    });
    expect(result.current.environment).toBe('prod');
  });
});
