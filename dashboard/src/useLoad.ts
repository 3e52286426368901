/** Loads something from the API for a page, with its loading and error states and a reload. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the load depends on
  const stable = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    setLoading(true);
    stable().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(
          e instanceof ApiError ? e : new ApiError({ status: 0, title: 'Network error', detail: (e as Error).message }),
        );
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [stable, round]);
  return { data, error, loading, reload: () => setRound((r) => r + 1) };
}
