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
