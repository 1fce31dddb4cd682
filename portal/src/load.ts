// Loading a page's data: the reply, a way to load it again, and whether it is on its way.
import { useCallback, useEffect, useState } from "react";
import type { Reply } from "./api/client";

export interface Loaded<T> {
  reply: Reply<T> | null;
  loading: boolean;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<Reply<T>>, deps: unknown[]): Loaded<T> {
  const [reply, setReply] = useState<Reply<T> | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setLoading(true);
    void run().then((next) => {
      if (!live) return;
      setReply(next);
      setLoading(false);
    });
    return () => {
      live = false;
    };
  }, [run, round]);
  return { reply, loading, reload: () => setRound((r) => r + 1) };
}

/** One page of a list route (SPEC §12: `items` and, unless it is the last, `nextCursor`). */
export interface ListPage<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * Every item of a paged list, page after page from `page(cursor)`, up to `most` items: the
 * tables filter, search and page what they hold, so they read the list whole.
 */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<Reply<ListPage<T>>>,
  most: number,
): Promise<Reply<T[]>> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const reply = await page(cursor);
    if (!reply.ok) return reply;
    items.push(...reply.data.items);
    cursor = reply.data.nextCursor ?? undefined;
  } while (cursor && items.length < most);
  return { ok: true, status: 200, data: items, replayed: false };
}
