// Small data hooks: load a resource, page through a list, run a mutation.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from './api';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Loads data when `key` changes; `reload()` fetches again. Stale answers are dropped. */
export function useLoader<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let current = true;
    setLoading(true);
    loadRef
      .current()
      .then((value) => {
        if (!current) return;
        setData(value);
        setError(null);
      })
      .catch((err: unknown) => {
        if (current) setError(messageOf(err));
      })
      .finally(() => {
        if (current) setLoading(false);
      });
    return () => {
      current = false;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}

export interface Paged<T, P = Page<T>> extends Loaded<T[]> {
  hasMore: boolean;
  loadMore: () => void;
  /** The first page, for what a list sends beside its items (a diff's totals). */
  head: P | undefined;
}

/** A cursor-paginated list: the first page loads when `key` changes, `loadMore()` appends. */
export function usePaged<P extends Page<unknown>>(loadPage: (cursor?: string) => Promise<P>, key: string): Paged<P['items'][number], P> {
  const first = useLoader(() => loadPage(), key);
  // Later pages belong to the first page they extend; a reload or a new key discards them.
  const [extra, setExtra] = useState<{ base: P; items: P['items']; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [fetching, setFetching] = useState(false);
  const base = first.data;
  const own = base && extra?.base === base ? extra : null;
  const cursor = own ? own.cursor : (base?.next_cursor ?? null);

  const loadMore = () => {
    if (!base || !cursor || fetching) return;
    setFetching(true);
    setMoreError(null);
    loadPage(cursor)
      .then((page) => setExtra({ base, items: [...(own?.items ?? []), ...page.items], cursor: page.next_cursor }))
      .catch((err: unknown) => setMoreError(messageOf(err)))
      .finally(() => setFetching(false));
  };
  return {
    data: base ? [...base.items, ...(own?.items ?? [])] : undefined,
    error: first.error ?? moreError,
    loading: first.loading,
    reload: first.reload,
    hasMore: cursor !== null,
    loadMore,
    head: base,
  };
}

export interface Action {
  busy: boolean;
  error: string | null;
  clearError: () => void;
  /** Runs a mutation; records its error for display and resolves to whether it succeeded. */
  run: (mutation: () => Promise<unknown>) => Promise<boolean>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (mutation: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await mutation();
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, clearError, run };
}

/** Calls `callback` every `ms` milliseconds while `ms` is not null; the latest callback is used. */
export function useInterval(callback: () => void, ms: number | null): void {
  const saved = useRef(callback);
  useEffect(() => {
    saved.current = callback;
  });
  useEffect(() => {
    if (ms === null) return undefined;
    const id = window.setInterval(() => saved.current(), ms);
    return () => window.clearInterval(id);
  }, [ms]);
}
